import { describe, expect, it, vi } from 'vitest'

import { RefreshRejected, TokenStore, type AccessToken, type CrossTabLock, type SessionMarker } from './tokens'

/** A stand-in for the CSRF cookie that says a cookie session exists. */
function marker(present = true): SessionMarker & { present: () => boolean } {
  let here = present
  return { present: () => here, forget: () => void (here = false) }
}

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

const access = (n: number): AccessToken => ({ access_token: `access-${n}`, expires_in: 900 })

describe('TokenStore.refresh', () => {
  it('shares one in-flight refresh among concurrent callers', async () => {
    const d = deferred<AccessToken>()
    const doRefresh = vi.fn(() => d.promise)
    const store = new TokenStore(marker(), doRefresh)
    const calls = [store.refresh(), store.refresh(), store.refresh(null)]
    expect(doRefresh).toHaveBeenCalledTimes(1)
    d.resolve(access(1))
    expect(await Promise.all(calls)).toEqual(['access-1', 'access-1', 'access-1'])
    expect(store.accessToken).toBe('access-1')
  })

  it('runs each refresh under the cross-tab lock, so two tabs never present one cookie twice', async () => {
    const order: string[] = []
    const lock: CrossTabLock = async (fn) => {
      order.push('lock')
      const v = await fn()
      order.push('unlock')
      return v
    }
    const store = new TokenStore(marker(), async () => (order.push('refresh'), access(1)), lock)
    expect(await store.refresh()).toBe('access-1')
    expect(order).toEqual(['lock', 'refresh', 'unlock'])
  })

  it('does not refresh again for a request that failed with an already replaced token', async () => {
    const doRefresh = vi.fn(async () => access(1))
    const store = new TokenStore(marker(), doRefresh)
    await store.refresh()
    // A request sent with the old access token comes back 401 after the refresh finished.
    expect(await store.refresh('access-0')).toBe('access-1')
    expect(doRefresh).toHaveBeenCalledTimes(1)
  })

  it('ends the session when the server rejects the refresh cookie', async () => {
    const m = marker()
    const store = new TokenStore(m, async () => {
      throw new RefreshRejected()
    })
    const signedOut = vi.fn()
    store.subscribe(signedOut)
    expect(store.hasSession).toBe(true)
    expect(await store.refresh()).toBeNull()
    expect(m.present()).toBe(false)
    expect(store.hasSession).toBe(false)
    expect(signedOut).toHaveBeenCalledWith(false)
  })

  it('keeps the session on a network failure and allows a new attempt', async () => {
    const doRefresh = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValueOnce(access(2))
    const store = new TokenStore(marker(), doRefresh)
    expect(await store.refresh()).toBeNull()
    expect(store.hasSession).toBe(true)
    expect(await store.refresh()).toBe('access-2')
  })

  it('answers null without a session cookie and never calls the server', async () => {
    const doRefresh = vi.fn()
    const store = new TokenStore(marker(false), doRefresh)
    expect(store.hasSession).toBe(false)
    expect(await store.refresh()).toBeNull()
    expect(doRefresh).not.toHaveBeenCalled()
  })

  it('keeps the access token in memory only', () => {
    const store = new TokenStore(marker(false), vi.fn())
    store.set(access(3))
    expect(store.accessToken).toBe('access-3')
    expect(store.hasSession).toBe(true)
    expect(JSON.stringify(localStorage)).not.toContain('access-3')
    store.clear()
    expect(store.accessToken).toBeNull()
  })
})
