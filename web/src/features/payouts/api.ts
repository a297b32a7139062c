import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

type S = components['schemas']
export type Payout = S['PayoutOut']
export type PayoutLine = S['PayoutLine']
export type ApproveBody = S['ApproveIn']
export type PayBody = S['PayIn']
export type PayoutStatus = 'draft' | 'approved' | 'paid' | 'cancelled'
export const PAYOUT_STATUSES: PayoutStatus[] = ['draft', 'approved', 'paid', 'cancelled']

export interface PayoutsQuery {
  program_id?: string
  status?: string
  limit: number
  offset: number
}

export function usePayouts(query: PayoutsQuery) {
  return useQuery({
    queryKey: ['payouts', query],
    queryFn: () => unwrap(api.GET('/api/traffic/payouts', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

export function usePayout(id: string) {
  return useQuery({
    queryKey: ['payouts', 'one', id],
    queryFn: () => unwrap(api.GET('/api/traffic/payouts/{id}', { params: { path: { id }, query: minPosition() } })),
  })
}

/** The transactions a payout posted (its receivable and its receipt), linked by origin. */
export function usePayoutPostings(id: string) {
  return useQuery({
    queryKey: ['transactions', 'origin', id],
    queryFn: () => unwrap(api.GET('/api/transactions', { params: { query: { origin_id: id, limit: 100, offset: 0, ...minPosition() } } })),
  })
}

/** Computes a draft payout of a program over a period. */
export function useComputePayout() {
  return useCommand({
    mutationFn: (body: { program_id: string; from: string; to: string }) => unwrap(api.POST('/api/traffic/payouts', { body })),
    onError: () => undefined,
  })
}

export function useApprovePayout() {
  return useCommand({
    mutationFn: ({ id, body }: { id: string; body: ApproveBody }) => unwrap(api.POST('/api/traffic/payouts/{id}/approve', { params: { path: { id } }, body })),
    onError: () => undefined,
  })
}

export function usePayPayout() {
  return useCommand({
    mutationFn: ({ id, body }: { id: string; body: PayBody }) => unwrap(api.POST('/api/traffic/payouts/{id}/pay', { params: { path: { id } }, body })),
    onError: () => undefined,
  })
}

export function useCancelPayout() {
  return useCommand({
    mutationFn: (id: string) => unwrap(api.POST('/api/traffic/payouts/{id}/cancel', { params: { path: { id } } })),
  })
}
