import { useQuery } from '@tanstack/react-query'

import { requestJson } from '@/lib/api/json'
import { can, type Role } from '@/lib/auth'
import { useCommand } from '@/lib/query'

/** The contract of `/api/tokens` (issue 11, finding 10). */
export const SCOPES = ['read', 'books:write', 'traffic:write', 'postback', 'audit', 'metrics'] as const
export type Scope = (typeof SCOPES)[number]

export interface ApiToken {
  id: string
  name: string
  scopes: Scope[]
  created_at: string
  expires_at?: string | null
  last_used_at?: string | null
}

/** The answer to creating a token: the secret `token` is shown here and never again. */
export interface CreatedToken extends ApiToken {
  token: string
}

export interface NewToken {
  name: string
  scopes: Scope[]
  expires_at?: string
}

/** What the create form sends: an expiry day (ISO) means the end of that day, UTC. */
export function toNewToken(v: { name: string; scopes: Scope[]; expires: string }): NewToken {
  const body: NewToken = { name: v.name.trim(), scopes: v.scopes }
  if (v.expires) body.expires_at = `${v.expires}T23:59:59Z`
  return body
}

/**
 * Scopes the user's role can grant (a token never gets more than its user): the server has the
 * last word (422 on `scopes`); this only greys out what it would refuse.
 */
export function scopeAllowed(scope: Scope, role: Role | undefined): boolean {
  switch (scope) {
    case 'read':
      return role !== undefined
    case 'books:write':
      return can.writeBooks(role)
    case 'traffic:write':
    case 'postback':
      return can.writeTraffic(role)
    case 'audit':
      return can.audit(role)
    case 'metrics':
      return can.operate(role)
  }
}

export const TOKENS_KEY = 'api-tokens'

export function useApiTokens() {
  return useQuery({
    queryKey: [TOKENS_KEY],
    queryFn: () => requestJson<{ items: ApiToken[] }>('GET', '/api/tokens'),
  })
}

export function useCreateApiToken() {
  return useCommand({
    mutationFn: (body: NewToken) => requestJson<CreatedToken>('POST', '/api/tokens', body),
    // The dialog shows field errors itself.
    onError: () => {},
  })
}

export function useRevokeApiToken() {
  return useCommand({
    mutationFn: (id: string) => requestJson<void>('DELETE', `/api/tokens/${encodeURIComponent(id)}`),
  })
}
