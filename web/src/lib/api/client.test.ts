import { afterEach, describe, expect, it, vi } from 'vitest'

import { authFetch, tokens } from './client'
import { REFRESH_TOKEN_KEY } from './tokens'

afterEach(() => {
  vi.unstubAllGlobals()
  tokens.clear()
})

describe('authFetch', () => {
  it('refreshes once for concurrent 401s and retries each request with the new token', async () => {
    localStorage.setItem(REFRESH_TOKEN_KEY, 'refresh-0')
    tokens.set({ access_token: 'expired', refresh_token: 'refresh-0', expires_in: 900 })
    const refreshBodies: string[] = []
    const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(String(input), init)
      const url = new URL(req.url)
      if (url.pathname === '/api/auth/refresh') {
        refreshBodies.push(await req.text())
        await new Promise((r) => setTimeout(r, 20))
        return Response.json({ access_token: 'fresh', refresh_token: 'refresh-1', expires_in: 900 })
      }
      const auth = req.headers.get('Authorization')
      if (auth !== 'Bearer fresh') return new Response(null, { status: 401 })
      return Response.json({ ok: url.pathname })
    })
    vi.stubGlobal('fetch', fetchMock)

    const responses = await Promise.all(
      ['/api/accounts', '/api/projects', '/api/balances'].map((p) => authFetch(new Request(`http://localhost${p}`))),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200])
    expect(refreshBodies).toEqual([JSON.stringify({ refresh_token: 'refresh-0' })])
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-1')
  })

  it('gives up (and signs out) when the refresh token is refused', async () => {
    tokens.set({ access_token: 'expired', refresh_token: 'refresh-0', expires_in: 900 })
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = new URL(input instanceof Request ? input.url : String(input), 'http://localhost')
        return new Response(null, { status: url.pathname === '/api/auth/refresh' ? 401 : 401 })
      }),
    )
    const res = await authFetch(new Request('http://localhost/api/accounts'))
    expect(res.status).toBe(401)
    expect(tokens.hasSession).toBe(false)
  })
})
