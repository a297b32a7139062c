import { useInfiniteQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components, operations } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

export type Transaction = components['schemas']['TransactionOut']
export type TransactionIn = components['schemas']['TransactionIn']
export type TransactionKind = components['schemas']['TransactionKind']
export type TransactionFilters = Omit<NonNullable<operations['list_transactions']['parameters']['query']>, 'limit' | 'offset' | 'min_position'>

export const TRANSACTION_KINDS: TransactionKind[] = ['income', 'expense', 'transfer', 'journal', 'opening', 'reversal']
export const PAGE_SIZE = 500

function fetchPage(filters: TransactionFilters, offset: number, limit = PAGE_SIZE) {
  return unwrap(api.GET('/api/transactions', { params: { query: { ...filters, limit, offset, ...minPosition() } } }))
}

/** Pages of transactions, newest first, loaded as the list scrolls. */
export function useTransactions(filters: TransactionFilters) {
  return useInfiniteQuery({
    queryKey: ['transactions', filters],
    queryFn: ({ pageParam }) => fetchPage(filters, pageParam),
    initialPageParam: 0,
    getNextPageParam: (last) => (last.offset + last.items.length < last.total ? last.offset + last.items.length : undefined),
    staleTime: 15_000,
  })
}

/** Every transaction matching `filters` (for CSV export), page by page. */
export async function fetchAllTransactions(filters: TransactionFilters, onProgress?: (loaded: number, total: number) => void): Promise<Transaction[]> {
  const out: Transaction[] = []
  let offset = 0
  for (;;) {
    const page = await fetchPage(filters, offset, 1000)
    out.push(...page.items)
    onProgress?.(out.length, page.total)
    offset += page.items.length
    if (page.items.length === 0 || offset >= page.total) return out
  }
}

export function usePostTransaction() {
  return useCommand({
    mutationFn: (body: TransactionIn) => unwrap(api.POST('/api/transactions', { body })),
  })
}

export function useEditTransaction() {
  return useCommand({
    mutationFn: ({ id, body }: { id: string; body: TransactionIn }) => unwrap(api.PUT('/api/transactions/{id}', { params: { path: { id } }, body })),
  })
}

export function useReverseTransaction() {
  return useCommand({
    mutationFn: ({ id, date }: { id: string; date?: string | null }) =>
      unwrap(api.POST('/api/transactions/{id}/reverse', { params: { path: { id } }, body: date ? { date } : {} })),
  })
}
