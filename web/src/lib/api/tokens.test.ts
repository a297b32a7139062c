import { describe, expect, it, vi } from 'vitest'

import { RefreshRejected, REFRESH_TOKEN_KEY, TokenStore, type TokenPair } from './tokens'

function memory(initial?: string) {
  const m = new Map<string, string>()
  if (initial) m.set(REFRESH_TOKEN_KEY, initial)
  return {
    map: m,
    storage: { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) },
  }
}

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

const pair = (n: number): TokenPair => ({ access_token: `access-${n}`, refresh_token: `refresh-${n}`, expires_in: 900 })

describe('TokenStore.refresh', () => {
  it('shares one in-flight refresh among concurrent callers', async () => {
    const { storage, map } = memory('refresh-0')
    const d = deferred<TokenPair>()
    const doRefresh = vi.fn(() => d.promise)
    const store = new TokenStore(storage, doRefresh)
    const calls = [store.refresh(), store.refresh(), store.refresh(null)]
    expect(doRefresh).toHaveBeenCalledTimes(1)
    expect(doRefresh).toHaveBeenCalledWith('refresh-0')
    d.resolve(pair(1))
    expect(await Promise.all(calls)).toEqual(['access-1', 'access-1', 'access-1'])
    expect(map.get(REFRESH_TOKEN_KEY)).toBe('refresh-1')
    expect(store.accessToken).toBe('access-1')
  })

  it('uses each refresh token once: later refreshes present the rotated token', async () => {
    const { storage } = memory('refresh-0')
    let n = 0
    const doRefresh = vi.fn(async (_token: string) => pair(++n))
    const store = new TokenStore(storage, doRefresh)
    await store.refresh()
    await store.refresh('access-1')
    expect(doRefresh.mock.calls.map((c) => c[0])).toEqual(['refresh-0', 'refresh-1'])
  })

  it('does not refresh again for a request that failed with an already replaced token', async () => {
    const { storage } = memory('refresh-0')
    const doRefresh = vi.fn(async () => pair(1))
    const store = new TokenStore(storage, doRefresh)
    await store.refresh()
    // A request sent with the old access token comes back 401 after the refresh finished.
    expect(await store.refresh('access-0')).toBe('access-1')
    expect(doRefresh).toHaveBeenCalledTimes(1)
  })

  it('ends the session when the server rejects the refresh token', async () => {
    const { storage, map } = memory('refresh-0')
    const store = new TokenStore(storage, async () => {
      throw new RefreshRejected()
    })
    const signedOut = vi.fn()
    store.subscribe(signedOut)
    expect(await store.refresh()).toBeNull()
    expect(map.has(REFRESH_TOKEN_KEY)).toBe(false)
    expect(signedOut).toHaveBeenCalledWith(false)
  })

  it('keeps the session on a network failure and allows a new attempt', async () => {
    const { storage, map } = memory('refresh-0')
    const doRefresh = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValueOnce(pair(2))
    const store = new TokenStore(storage, doRefresh)
    expect(await store.refresh()).toBeNull()
    expect(map.get(REFRESH_TOKEN_KEY)).toBe('refresh-0')
    expect(await store.refresh()).toBe('access-2')
  })

  it('answers null without a refresh token', async () => {
    const { storage } = memory()
    const doRefresh = vi.fn()
    const store = new TokenStore(storage, doRefresh)
    expect(await store.refresh()).toBeNull()
    expect(await store.refresh()).toBeNull()
    expect(doRefresh).not.toHaveBeenCalled()
  })
})
