import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components, operations } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

export type Account = components['schemas']['EntityOut_AccountSpec']
export type AccountSpec = components['schemas']['AccountSpec']
export type AccountCreate = components['schemas']['AccountCreate']
export type AccountType = components['schemas']['AccountType']
export type AccountKind = components['schemas']['AccountKind']
type ListQuery = NonNullable<operations['list_accounts']['parameters']['query']>

export const ACCOUNT_TYPES: AccountType[] = ['asset', 'liability', 'equity', 'income', 'expense']
export const ACCOUNT_KINDS: AccountKind[] = ['bank', 'cash', 'card', 'crypto_wallet', 'other']

export function useAccounts(query: ListQuery) {
  return useQuery({
    queryKey: ['accounts', query],
    queryFn: () => unwrap(api.GET('/api/accounts', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

export function useSaveAccount() {
  return useCommand({
    mutationFn: ({ id, body }: { id?: string; body: AccountCreate }) => {
      if (!id) return unwrap(api.POST('/api/accounts', { body }))
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { opening_balance, opening_date, ...spec } = body
      return unwrap(api.PUT('/api/accounts/{id}', { params: { path: { id } }, body: spec }))
    },
  })
}

export function useArchiveAccount() {
  return useCommand({
    mutationFn: ({ id, archive }: { id: string; archive: boolean }) =>
      archive
        ? unwrap(api.POST('/api/accounts/{id}/archive', { params: { path: { id } } }))
        : unwrap(api.POST('/api/accounts/{id}/restore', { params: { path: { id } } })),
  })
}
