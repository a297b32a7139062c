import { useInfiniteQuery, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components, operations } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

export type Transaction = components['schemas']['TransactionOut']
export type TransactionIn = components['schemas']['TransactionIn']
export type TransactionKind = components['schemas']['TransactionKind']
export type OriginKind = components['schemas']['OriginKind']
export type TransactionFilters = Omit<NonNullable<operations['list_transactions']['parameters']['query']>, 'limit' | 'offset' | 'min_position'>

export const TRANSACTION_KINDS: TransactionKind[] = ['income', 'expense', 'transfer', 'journal', 'opening', 'reversal']
export const PAGE_SIZE = 500
/** Largest list the CSV export fetches (page by page, held in memory to build the file). */
export const MAX_EXPORT_ROWS = 100_000
const EXPORT_PAGE = 1000

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

/** Thrown when a list is longer than the export takes. */
export class ExportTooLarge extends Error {
  constructor(readonly total: number) {
    super(`${total} transactions: narrow the filters to at most ${MAX_EXPORT_ROWS}`)
  }
}

/** Every transaction matching `filters` (for CSV export), page by page, at most MAX_EXPORT_ROWS. */
export async function fetchAllTransactions(filters: TransactionFilters, onProgress?: (loaded: number, total: number) => void): Promise<Transaction[]> {
  const out: Transaction[] = []
  let offset = 0
  for (let pages = 0; pages <= MAX_EXPORT_ROWS / EXPORT_PAGE; pages++) {
    const page = await fetchPage(filters, offset, EXPORT_PAGE)
    if (page.total > MAX_EXPORT_ROWS) throw new ExportTooLarge(page.total)
    out.push(...page.items)
    onProgress?.(out.length, page.total)
    offset += page.items.length
    if (page.items.length === 0 || offset >= page.total) return out
  }
  // Rows were added while paging past the limit.
  throw new ExportTooLarge(offset)
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

export function useTransaction(id: string) {
  return useQuery({
    queryKey: ['transactions', 'one', id],
    queryFn: () => unwrap(api.GET('/api/transactions/{id}', { params: { path: { id } } })),
  })
}

/** Checks a posting's crypto details against TronScan and records the outcome. */
export function useVerifyCrypto() {
  return useCommand({
    mutationFn: (id: string) => unwrap(api.POST('/api/transactions/{id}/verify-crypto', { params: { path: { id } } })),
  })
}
