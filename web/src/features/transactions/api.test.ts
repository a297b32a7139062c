import { afterEach, describe, expect, it, vi } from 'vitest'

import { tokens } from '@/lib/api/client'

import { ExportTooLarge, fetchAllTransactions, MAX_EXPORT_ROWS } from './api'

afterEach(() => {
  vi.unstubAllGlobals()
  tokens.clear()
})

/** Serves GET /api/transactions as a list of `total` rows, recording the pages asked for. */
function serveList(total: number) {
  const asked: { limit: string | null; offset: string | null; tag: string | null }[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(String(input), init)
      const url = new URL(req.url)
      const limit = Number(url.searchParams.get('limit'))
      const offset = Number(url.searchParams.get('offset'))
      asked.push({ limit: url.searchParams.get('limit'), offset: url.searchParams.get('offset'), tag: url.searchParams.get('tag') })
      const n = Math.max(0, Math.min(limit, total - offset))
      const items = Array.from({ length: n }, (_, k) => ({ id: `t${offset + k}`, date: '2026-11-01', kind: 'journal', description: '', entries: [], tags: [], position: 1 }))
      return Response.json({ items, total, limit, offset })
    }),
  )
  return asked
}

describe('fetchAllTransactions (CSV export)', () => {
  it('reads every page of the filtered list', async () => {
    tokens.set({ access_token: 'a', expires_in: 900 })
    const asked = serveList(2500)
    const progress: string[] = []
    const all = await fetchAllTransactions({ tag: 'q4' }, (n, total) => progress.push(`${n}/${total}`))
    expect(all).toHaveLength(2500)
    expect(all[2499].id).toBe('t2499')
    expect(asked).toEqual([
      { limit: '1000', offset: '0', tag: 'q4' },
      { limit: '1000', offset: '1000', tag: 'q4' },
      { limit: '1000', offset: '2000', tag: 'q4' },
    ])
    expect(progress).toEqual(['1000/2500', '2000/2500', '2500/2500'])
  })

  it('refuses a list longer than the export takes, after one page', async () => {
    tokens.set({ access_token: 'a', expires_in: 900 })
    const asked = serveList(MAX_EXPORT_ROWS + 1)
    await expect(fetchAllTransactions({})).rejects.toBeInstanceOf(ExportTooLarge)
    expect(asked).toHaveLength(1)
  })
})
