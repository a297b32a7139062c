import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

type S = components['schemas']
export type Pending = S['PendingOut']
export type PostPendingBody = S['PostPendingIn']
export type PendingStatus = 'pending' | 'posted' | 'dismissed' | 'all'
export const PENDING_STATUSES: PendingStatus[] = ['pending', 'posted', 'dismissed', 'all']
export const DIRECTIONS = ['in', 'out', 'self_transfer'] as const

export interface PendingQuery {
  status?: string
  direction?: string
  sort?: string
  limit: number
  offset: number
}

export function usePending(accountId: string, query: PendingQuery) {
  return useQuery({
    queryKey: ['tron-pending', accountId, query],
    queryFn: () => unwrap(api.GET('/api/accounts/{id}/tron/pending', { params: { path: { id: accountId }, query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

/** Reads the wallet's new transfers from TronScan into pending items. */
export function useSyncWallet() {
  return useCommand({
    mutationFn: (accountId: string) => unwrap(api.POST('/api/accounts/{id}/tron/sync', { params: { path: { id: accountId } } })),
  })
}

export function usePostPending() {
  return useCommand({
    mutationFn: ({ accountId, hash, body }: { accountId: string; hash: string; body: PostPendingBody }) =>
      unwrap(api.POST('/api/accounts/{id}/tron/pending/{tx_hash}/post', { params: { path: { id: accountId, tx_hash: hash } }, body })),
    onError: () => undefined,
  })
}

export function useDismissPending() {
  return useCommand({
    mutationFn: ({ accountId, hash }: { accountId: string; hash: string }) =>
      unwrap(api.POST('/api/accounts/{id}/tron/pending/{tx_hash}/dismiss', { params: { path: { id: accountId, tx_hash: hash } } })),
  })
}
