import createClient from 'openapi-fetch'

import { notePosition } from './position'
import { toApiError } from './problem'
import type { paths } from './schema'
import { RefreshRejected, TokenStore, type TokenPair } from './tokens'

/** Endpoints that never carry (nor refresh) an access token. */
const ANONYMOUS = /\/api\/auth\/(login|register|refresh|logout|confirm-email|forgot-password|reset-password)$/

async function refreshWithServer(refreshToken: string): Promise<TokenPair> {
  const res = await fetch(new URL('/api/auth/refresh', location.origin), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  })
  if (res.status === 401 || res.status === 403) throw new RefreshRejected()
  if (!res.ok) throw new Error(`refresh failed: HTTP ${res.status}`)
  return (await res.json()) as TokenPair
}

const memoryStorage = new Map<string, string>()
const storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> =
  typeof localStorage !== 'undefined'
    ? localStorage
    : {
        getItem: (k) => memoryStorage.get(k) ?? null,
        setItem: (k, v) => void memoryStorage.set(k, v),
        removeItem: (k) => void memoryStorage.delete(k),
      }

export const tokens = new TokenStore(storage, refreshWithServer)

/**
 * fetch with the bearer token; on 401 refreshes once (shared with concurrent requests) and
 * retries the request with the new token.
 */
export async function authFetch(request: Request): Promise<Response> {
  if (ANONYMOUS.test(new URL(request.url, location.origin).pathname)) return fetch(request)
  const retry = request.clone()
  let token = tokens.accessToken
  if (!token && tokens.refreshToken) token = await tokens.refresh()
  if (token) request.headers.set('Authorization', `Bearer ${token}`)
  const res = await fetch(request)
  if (res.status !== 401 || !tokens.refreshToken) return res
  const fresh = await tokens.refresh(token)
  if (!fresh) return res
  retry.headers.set('Authorization', `Bearer ${fresh}`)
  return fetch(retry)
}

export const api = createClient<paths>({
  baseUrl: typeof location !== 'undefined' ? location.origin : 'http://localhost',
  fetch: authFetch,
})

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
