import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

type S = components['schemas']
export type Invoice = S['InvoiceSummary']
export type InvoiceDetail = S['InvoiceOut']
export type InvoiceIn = S['InvoiceIn']
export type IssueIn = S['IssueIn']
export type PaymentIn = S['PaymentIn']
export type Direction = S['Direction']
export type AgingReport = S['AgingReport']
export type PostedTransaction = S['TransactionOut']
export type Buckets = S['Buckets']
export const DIRECTIONS: Direction[] = ['receivable', 'payable']
export const INVOICE_STATUSES = ['draft', 'issued', 'partially_paid', 'paid', 'overdue', 'cancelled'] as const
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number]
export const AGING_BUCKETS = ['current', 'days_1_30', 'days_31_60', 'days_61_90', 'over_90'] as const

export interface InvoiceQuery {
  direction?: Direction
  status?: string
  counterparty_id?: string
  currency?: string
  issue_from?: string
  issue_to?: string
  due_from?: string
  due_to?: string
  q?: string
  sort?: string
  limit: number
  offset: number
}

export function useInvoices(query: InvoiceQuery) {
  return useQuery({
    queryKey: ['invoices', query],
    queryFn: () => unwrap(api.GET('/api/invoices', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

export function useInvoice(id: string) {
  return useQuery({
    queryKey: ['invoices', 'one', id],
    queryFn: () => unwrap(api.GET('/api/invoices/{id}', { params: { path: { id }, query: minPosition() } })),
  })
}

export function useSaveInvoice() {
  return useCommand({
    mutationFn: ({ id, body }: { id?: string; body: InvoiceIn }) =>
      id ? unwrap(api.PUT('/api/invoices/{id}', { params: { path: { id } }, body })) : unwrap(api.POST('/api/invoices', { body })),
    onError: () => undefined,
  })
}

export function useIssueInvoice() {
  return useCommand({
    mutationFn: ({ id, body }: { id: string; body: IssueIn }) => unwrap(api.POST('/api/invoices/{id}/issue', { params: { path: { id } }, body })),
    onError: () => undefined,
  })
}

export function usePayInvoice() {
  return useCommand({
    mutationFn: ({ id, body }: { id: string; body: PaymentIn }) => unwrap(api.POST('/api/invoices/{id}/payments', { params: { path: { id } }, body })),
    onError: () => undefined,
  })
}

export function useCancelInvoice() {
  return useCommand({
    mutationFn: ({ id, date }: { id: string; date?: string }) => unwrap(api.POST('/api/invoices/{id}/cancel', { params: { path: { id } }, body: date ? { date } : {} })),
  })
}

export function useAging(query: { as_of?: string; direction: Direction; currency?: string; limit: number; offset: number }) {
  return useQuery({
    queryKey: ['aging', query],
    queryFn: () => unwrap(api.GET('/api/reports/aging', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

/** How many posted transactions the payment picker lists at once (narrow them by searching). */
export const CANDIDATES_PAGE = 20

/**
 * Posted transactions that could pay an invoice: with its counterparty, on its control account
 * (the server applies only those), their description matching `q`.
 */
export function usePaymentCandidates(query: { counterparty_id: string; account_id?: string | null; q: string }, enabled = true) {
  return useQuery({
    queryKey: ['transactions', 'invoice-payment-candidates', query],
    enabled,
    queryFn: () =>
      unwrap(
        api.GET('/api/transactions', {
          params: {
            query: {
              counterparty_id: query.counterparty_id,
              account_id: query.account_id ?? undefined,
              q: query.q || undefined,
              limit: CANDIDATES_PAGE,
              ...minPosition(),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  })
}
