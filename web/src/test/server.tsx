import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactNode } from 'react'
import { MemoryRouter } from 'react-router'
import { vi } from 'vitest'

import { tokens } from '@/lib/api/client'
import { SessionProvider } from '@/lib/auth'
import { I18nProvider } from '@/lib/i18n'

export interface Sent {
  method: string
  path: string
  body: unknown
}

type Handler = (body: unknown, url: URL) => Response | Promise<Response>

/**
 * A stand-in for the server behind the real API client: answers `"METHOD /path"` from
 * `routes` (404 problem otherwise) and records every request. Call in a test; restore with
 * `vi.unstubAllGlobals()`.
 */
export function fakeServer(routes: Record<string, Handler>): Sent[] {
  const sent: Sent[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init)
      const url = new URL(req.url)
      const text = await req.text()
      const body: unknown = text ? JSON.parse(text) : undefined
      sent.push({ method: req.method, path: url.pathname, body })
      const handler = routes[`${req.method} ${url.pathname}`]
      if (!handler) return Response.json({ status: 404, code: 'not_found', detail: `${req.method} ${url.pathname} not faked` }, { status: 404 })
      return handler(body, url)
    }),
  )
  return sent
}

export const problem = (status: number, code: string, detail: string, field?: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title: 'Error', status, code, detail, field }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  })

/** Renders `ui` signed in (the fake server must answer `GET /api/auth/me`) with every provider. */
export function renderSignedIn(ui: ReactNode, { route = '/' }: { route?: string } = {}) {
  tokens.set({ access_token: 'test-access', expires_in: 900 })
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  return render(
    <QueryClientProvider client={qc}>
      <I18nProvider locale="en">
        <SessionProvider>
          <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
        </SessionProvider>
      </I18nProvider>
    </QueryClientProvider>,
  )
}

export const me = (role: string, extra: Record<string, unknown> = {}) => () =>
  Response.json({ id: 'u-me', email: 'me@example.com', name: 'Me', role, email_confirmed: true, ...extra })
