import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components, operations } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

export type Counterparty = components['schemas']['EntityOut_CounterpartySpec']
export type CounterpartySpec = components['schemas']['CounterpartySpec']
export type CounterpartyKind = components['schemas']['CounterpartyKind']
type ListQuery = NonNullable<operations['list_counterparties']['parameters']['query']>

export const COUNTERPARTY_KINDS: CounterpartyKind[] = ['customer', 'vendor', 'affiliate_program']

export function useCounterparties(query: ListQuery) {
  return useQuery({
    queryKey: ['counterparties', query],
    queryFn: () => unwrap(api.GET('/api/counterparties', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

export function useSaveCounterparty() {
  return useCommand({
    mutationFn: ({ id, body }: { id?: string; body: CounterpartySpec }) =>
      id
        ? unwrap(api.PUT('/api/counterparties/{id}', { params: { path: { id } }, body }))
        : unwrap(api.POST('/api/counterparties', { body })),
  })
}

export function useArchiveCounterparty() {
  return useCommand({
    mutationFn: ({ id, archive }: { id: string; archive: boolean }) =>
      archive
        ? unwrap(api.POST('/api/counterparties/{id}/archive', { params: { path: { id } } }))
        : unwrap(api.POST('/api/counterparties/{id}/restore', { params: { path: { id } } })),
  })
}
