/**
 * The page's view of a cookie session. The refresh token itself is in an HttpOnly cookie no
 * script can read; beside it the server sets `ledger_csrf`, readable by the page, which (1)
 * says a session exists and (2) must be echoed in `X-CSRF-Token` on refresh and logout
 * (double submit: another site can neither read it nor set the header).
 */
export const CSRF_COOKIE = 'ledger_csrf'
export const CSRF_HEADER = 'X-CSRF-Token'
/** Sent on sign-in to ask for the refresh token in a cookie instead of the JSON body. */
export const SESSION_HEADER = 'X-Session'

/** Where older versions kept the refresh token; removed on start (it is no longer used). */
export const LEGACY_REFRESH_TOKEN_KEY = 'ledger.refresh_token'

/** The CSRF cookie's value, or null when there is no cookie session. */
export function csrfToken(): string | null {
  if (typeof document === 'undefined') return null
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === CSRF_COOKIE) {
      const value = rest.join('=')
      return value === '' ? null : value
    }
  }
  return null
}

/**
 * Drops the CSRF cookie on this side, so the page stops believing in a session the server
 * has ended or could not be told about (the HttpOnly refresh cookie is the server's to clear).
 */
export function forgetCsrfCookie() {
  if (typeof document === 'undefined') return
  document.cookie = `${CSRF_COOKIE}=; Max-Age=0; Path=/; SameSite=Strict`
}
