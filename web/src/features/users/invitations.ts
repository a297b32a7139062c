import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { requestJson } from '@/lib/api/json'
import { useCommand } from '@/lib/query'

import type { Role } from './api'

/** The contract of `/api/invitations` (issue 11, finding 4). */
export type InvitationState = 'pending' | 'accepted' | 'expired' | 'revoked'

export interface Invitation {
  id: string
  email: string
  role: Role
  created_at: string
  expires_at: string
  accepted_at?: string | null
  revoked_at?: string | null
  state: InvitationState
}

export interface CreatedInvitation {
  id: string
  email: string
  role: Role
  expires_at: string
  /** `{public_url}/register?invitation=<token>`: shown once, also mailed. */
  invite_url: string
}

interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

export const INVITATIONS_KEY = 'invitations'

export function useInvitations(query: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [INVITATIONS_KEY, query],
    queryFn: () => requestJson<Page<Invitation>>('GET', `/api/invitations?limit=${query.limit}&offset=${query.offset}`),
    placeholderData: keepPreviousData,
  })
}

export function useCreateInvitation() {
  return useCommand({
    mutationFn: (body: { email: string; role: Role }) => requestJson<CreatedInvitation>('POST', '/api/invitations', body),
    // The dialog shows field errors itself.
    onError: () => {},
  })
}

export function useRevokeInvitation() {
  return useCommand({
    mutationFn: (id: string) => requestJson<void>('DELETE', `/api/invitations/${encodeURIComponent(id)}`),
  })
}
