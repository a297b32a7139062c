import { authFetch } from './client'
import { toApiError } from './problem'

/**
 * A JSON call through the signed-in fetch, for endpoints the generated schema does not list
 * yet (invitations and API tokens are built on another branch; once it is merged, `npm run
 * gen:api` adds them and callers move to the typed `api` client). Answers the parsed body,
 * or undefined for 204; throws the API's ApiError otherwise.
 */
export async function requestJson<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' } }
  if (body !== undefined) init.body = JSON.stringify(body)
  let res: Response
  try {
    res = await authFetch(new Request(new URL(path, location.origin), init))
  } catch (e) {
    throw toApiError(e instanceof Error ? e.message : 'network error', undefined)
  }
  const text = await res.text()
  const parsed: unknown = text ? JSON.parse(text) : undefined
  if (!res.ok) throw toApiError(parsed, res)
  return parsed as T
}
