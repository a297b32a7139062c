import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import { currentPosition } from '@/lib/api/position'

import type { Import } from './api'

const mocks = vi.hoisted(() => ({ get: vi.fn(), authFetch: vi.fn() }))
vi.mock('@/lib/api/client', () => ({
  api: { GET: mocks.get },
  authFetch: mocks.authFetch,
  unwrap: async (p: Promise<{ data: unknown }>) => (await p).data,
}))

const { useLiveImport } = await import('./api')

const imp = (state: string, rows_done: number, extra: Partial<Import> = {}): Import =>
  ({ id: 'imp-1', state, rows_done, rows_total: 100, progress: rows_done / 100, file_name: 'f.csv', ...extra }) as Import

function wrapper({ children }: { children: ReactNode }) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  return <QueryClientProvider client={qc}>{children}</QueryClientProvider>
}

function sseBody(events: Import[]) {
  const enc = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    start(c) {
      for (const e of events) c.enqueue(enc.encode(`: keep-alive\n\nevent: progress\ndata: ${JSON.stringify(e)}\n\n`))
      c.close()
    },
  })
}

describe('useLiveImport', () => {
  beforeEach(() => {
    mocks.get.mockReset()
    mocks.authFetch.mockReset()
  })

  it('follows the progress stream to the end and notes the import’s log position', async () => {
    mocks.get.mockResolvedValue({ data: imp('queued', 0) })
    mocks.authFetch.mockResolvedValue(new Response(sseBody([imp('running', 40), imp('running', 80), imp('done', 100, { position: 77 })]), { status: 200 }))
    const { result } = renderHook(() => useLiveImport('imp-1'), { wrapper })
    await waitFor(() => expect(result.current.data?.state).toBe('done'))
    expect(result.current.data?.rows_done).toBe(100)
    const req = mocks.authFetch.mock.calls[0][0] as Request
    expect(new URL(req.url).pathname).toBe('/api/traffic/imports/imp-1/events')
    expect(mocks.get).toHaveBeenCalledTimes(1) // no polling while the stream works
    expect(currentPosition()).toBe(77)
  })

  it('polls every 500 ms when the stream cannot be opened', async () => {
    mocks.get
      .mockResolvedValueOnce({ data: imp('queued', 0) })
      .mockResolvedValueOnce({ data: imp('running', 50) })
      .mockResolvedValue({ data: imp('failed', 100, { error: 'bad rows', rows_failed: 3 }) })
    mocks.authFetch.mockResolvedValue(new Response('no', { status: 502 }))
    const { result } = renderHook(() => useLiveImport('imp-1'), { wrapper })
    await waitFor(() => expect(result.current.data?.state).toBe('failed'), { timeout: 3000 })
    expect(mocks.get.mock.calls.length).toBeGreaterThanOrEqual(3)
    const calls = mocks.get.mock.calls.length
    await new Promise((r) => setTimeout(r, 700))
    expect(mocks.get.mock.calls.length).toBe(calls) // stops once the import has ended
  })
})
