import { afterEach, describe, expect, it, vi } from 'vitest'

import { authFetch, dropLegacyRefreshToken, endSession, startSession, tokens } from './client'
import { CSRF_COOKIE } from './session-cookie'

function setCookie(value: string | null) {
  document.cookie = value === null ? `${CSRF_COOKIE}=; Max-Age=0; Path=/` : `${CSRF_COOKIE}=${value}; Path=/`
}

afterEach(() => {
  vi.unstubAllGlobals()
  tokens.clear()
  setCookie(null)
  localStorage.clear()
})

function requestOf(input: RequestInfo | URL, init?: RequestInit): Request {
  return input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init)
}

describe('authFetch', () => {
  it('refreshes once by cookie for concurrent 401s, echoing the CSRF cookie, and retries each request', async () => {
    setCookie('csrf-0')
    tokens.set({ access_token: 'expired', expires_in: 900 })
    const refreshes: { body: string; csrf: string | null }[] = []
    const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = requestOf(input, init)
      const url = new URL(req.url)
      if (url.pathname === '/api/auth/refresh') {
        refreshes.push({ body: await req.text(), csrf: req.headers.get('X-CSRF-Token') })
        await new Promise((r) => setTimeout(r, 20))
        return Response.json({ access_token: 'fresh', token_type: 'Bearer', expires_in: 900 })
      }
      if (req.headers.get('Authorization') !== 'Bearer fresh') return new Response(null, { status: 401 })
      return Response.json({ ok: url.pathname })
    })
    vi.stubGlobal('fetch', fetchMock)

    const responses = await Promise.all(
      ['/api/accounts', '/api/projects', '/api/balances'].map((p) => authFetch(new Request(`http://localhost${p}`))),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200])
    expect(refreshes).toEqual([{ body: '', csrf: 'csrf-0' }])
  })

  it('restores a session after a reload through the cookie (no access token in memory yet)', async () => {
    setCookie('csrf-1')
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const req = requestOf(input, init)
        if (new URL(req.url).pathname === '/api/auth/refresh') return Response.json({ access_token: 'after-reload', expires_in: 900 })
        return Response.json({ auth: req.headers.get('Authorization') })
      }),
    )
    const res = await authFetch(new Request('http://localhost/api/auth/me'))
    expect(await res.json()).toEqual({ auth: 'Bearer after-reload' })
  })

  it('gives up (and signs out) when the refresh cookie is refused', async () => {
    setCookie('csrf-2')
    tokens.set({ access_token: 'expired', expires_in: 900 })
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 401 })))
    const res = await authFetch(new Request('http://localhost/api/accounts'))
    expect(res.status).toBe(401)
    expect(tokens.hasSession).toBe(false)
  })
})

describe('sessions', () => {
  it('signs in asking for a cookie session and stores nothing in localStorage', async () => {
    let sent: Request | null = null
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        sent = requestOf(input, init)
        setCookie('csrf-3')
        return Response.json({ access_token: 'signed-in', token_type: 'Bearer', expires_in: 900 })
      }),
    )
    await startSession('a@example.com', 'correct horse battery')
    const req = sent as unknown as Request
    expect(new URL(req.url).pathname).toBe('/api/auth/login')
    expect(req.headers.get('X-Session')).toBe('cookie')
    expect(await req.json()).toEqual({ email: 'a@example.com', password: 'correct horse battery' })
    expect(tokens.accessToken).toBe('signed-in')
    expect(localStorage.length).toBe(0)
  })

  it('signs out by cookie with the CSRF header and forgets the session even if the call fails', async () => {
    setCookie('csrf-4')
    tokens.set({ access_token: 'a', expires_in: 900 })
    const sent: Request[] = []
    const cookieAtCall: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        sent.push(requestOf(input, init))
        // The browser attaches cookies when it sends: the CSRF cookie must still be there.
        cookieAtCall.push(document.cookie)
        throw new TypeError('offline')
      }),
    )
    await endSession()
    expect(sent).toHaveLength(1)
    expect(cookieAtCall[0]).toContain('ledger_csrf=csrf-4')
    expect(new URL(sent[0].url).pathname).toBe('/api/auth/logout')
    expect(sent[0].headers.get('X-CSRF-Token')).toBe('csrf-4')
    expect(tokens.hasSession).toBe(false)
    expect(document.cookie).not.toContain('csrf-4')
  })
})

describe('dropLegacyRefreshToken', () => {
  it('removes the refresh token an older version left in localStorage', () => {
    localStorage.setItem('ledger.refresh_token', 'left over')
    dropLegacyRefreshToken()
    expect(localStorage.getItem('ledger.refresh_token')).toBeNull()
  })
})
