import createClient from 'openapi-fetch'

import { notePosition } from './position'
import { toApiError } from './problem'
import type { paths } from './schema'
import { CSRF_HEADER, csrfToken, forgetCsrfCookie, LEGACY_REFRESH_TOKEN_KEY, SESSION_HEADER } from './session-cookie'
import { RefreshRejected, TokenStore, webLock, type AccessToken } from './tokens'

/** Endpoints that never carry (nor refresh) an access token. */
const ANONYMOUS = /\/api\/auth\/(login|register|refresh|logout|confirm-email|forgot-password|reset-password)$/

/** A new access token by the refresh cookie (the browser sends it; the page echoes the CSRF cookie). */
async function refreshWithServer(): Promise<AccessToken> {
  const csrf = csrfToken()
  if (!csrf) throw new RefreshRejected('no session cookie')
  const res = await fetch(new URL('/api/auth/refresh', location.origin), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { [CSRF_HEADER]: csrf },
  })
  if (res.status === 401 || res.status === 403) throw new RefreshRejected()
  if (!res.ok) throw new Error(`refresh failed: HTTP ${res.status}`)
  return (await res.json()) as AccessToken
}

export const tokens = new TokenStore({ present: () => csrfToken() !== null, forget: forgetCsrfCookie }, refreshWithServer, webLock)

/** Older versions kept the refresh token in localStorage, readable by any script: drop it. */
export function dropLegacyRefreshToken() {
  try {
    if (typeof localStorage !== 'undefined') localStorage.removeItem(LEGACY_REFRESH_TOKEN_KEY)
  } catch {
    /* storage disabled: nothing to drop */
  }
}
dropLegacyRefreshToken()

/**
 * fetch with the bearer token; on 401 refreshes once (shared with concurrent requests) and
 * retries the request with the new token.
 */
export async function authFetch(request: Request): Promise<Response> {
  if (ANONYMOUS.test(new URL(request.url, location.origin).pathname)) return fetch(request)
  const retry = request.clone()
  let token = tokens.accessToken
  if (!token && tokens.hasSession) token = await tokens.refresh()
  if (token) request.headers.set('Authorization', `Bearer ${token}`)
  const res = await fetch(request)
  if (res.status !== 401 || !tokens.hasSession) return res
  const fresh = await tokens.refresh(token)
  if (!fresh) return res
  retry.headers.set('Authorization', `Bearer ${fresh}`)
  return fetch(retry)
}

export const api = createClient<paths>({
  baseUrl: typeof location !== 'undefined' ? location.origin : 'http://localhost',
  fetch: authFetch,
})

/**
 * Signs in with a cookie session: the server keeps the refresh token in an HttpOnly cookie and
 * answers the access token, which stays in memory. Throws the server's ApiError on refusal.
 */
export async function startSession(email: string, password: string): Promise<void> {
  const answer = await unwrap(
    api.POST('/api/auth/login', { body: { email, password }, headers: { [SESSION_HEADER]: 'cookie' } }),
  )
  tokens.set({ access_token: answer.access_token, expires_in: answer.expires_in })
}

/** Longest wait for the server to end the session before signing out here anyway. */
const LOGOUT_TIMEOUT_MS = 5_000

/**
 * Ends the cookie session on the server, then here. The server is asked first: the browser
 * must still send the CSRF cookie the header echoes (forgetting it first made the server
 * refuse the logout and keep the session). Signs out here whatever the server answers.
 */
export async function endSession(): Promise<void> {
  const csrf = csrfToken()
  if (csrf) {
    try {
      await fetch(new URL('/api/auth/logout', location.origin), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { [CSRF_HEADER]: csrf },
        signal: AbortSignal.timeout(LOGOUT_TIMEOUT_MS),
      })
    } catch {
      /* unreachable: signed out here anyway */
    }
  }
  tokens.clear()
}

/** Unwraps an openapi-fetch result: the data, or a thrown ApiError. Notes any `position`. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response }
  try {
    result = await call
  } catch (e) {
    throw toApiError(e instanceof Error ? e.message : 'network error', undefined)
  }
  if (result.error !== undefined || !result.response.ok) throw toApiError(result.error, result.response)
  const data = result.data as T
  if (data && typeof data === 'object' && 'position' in data) {
    const p = (data as { position?: unknown }).position
    if (typeof p === 'number') notePosition(p)
  }
  return data
}
