import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components, paths } from '@/lib/api/schema'
import { today } from '@/lib/utils'

type S = components['schemas']
export type Pnl = S['PnlOut']
export type PnlRow = S['PnlRowOut']
export type BalanceSheet = S['BalanceSheetOut']
export type CashFlow = S['CashFlowOut']
/**
 * A rate a report used, as the reports answer it (api/src/routes/accounting_reports.rs). The
 * OpenAPI document names it `RateOut` like the rates screen's own schema, and shows that one.
 */
export interface ReportRate {
  /** `EUR/USD`: 1 EUR = rate USD. */
  pair: string
  /** The day whose amounts it converted. */
  day: string
  rate_date: string
  rate: string
  /** No rate on `day`: the nearest earlier one stood in. */
  earlier: boolean
}
export const reportRates = (rates: unknown[]) => rates as ReportRate[]
export type Postings = S['PostingsOut']
type PostingsQuery = NonNullable<paths['/api/reports/postings']['get']['parameters']['query']>
export const COMPARES = ['', 'previous_period', 'previous_year'] as const
export type Compare = (typeof COMPARES)[number]
/** Rows per drill-down page (the server's maximum is larger). */
export const DRILL_PAGE = 100

export function usePnl(q: { from: string; to: string; currency: string; compare: Compare; groupBy: readonly string[] }) {
  return useQuery({
    queryKey: ['pnl', q],
    queryFn: () =>
      unwrap(
        api.GET('/api/reports/pnl', {
          params: { query: { from: q.from, to: q.to, currency: q.currency, group_by: q.groupBy.join(','), compare: q.compare || undefined, ...minPosition() } },
        }),
      ),
    placeholderData: keepPreviousData,
  })
}

export function useBalanceSheet(q: { asOf: string; currency: string }) {
  return useQuery({
    queryKey: ['balance-sheet', q],
    queryFn: () => unwrap(api.GET('/api/reports/balance-sheet', { params: { query: { as_of: q.asOf || today(), currency: q.currency, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

export function useCashFlow(q: { from: string; to: string; currency: string }) {
  return useQuery({
    queryKey: ['cash-flow', q],
    queryFn: () => unwrap(api.GET('/api/reports/cash-flow', { params: { query: { from: q.from, to: q.to, currency: q.currency, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

/** A figure's `drill` query string (plus the side asked for) as the postings endpoint's parameters. */
export function drillParams(drill: string, offset = 0): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [k, v] of new URLSearchParams(drill)) out[k] = k === 'transfer' ? v === 'true' : v
  return { ...out, limit: DRILL_PAGE, offset }
}

export function useDrill(drill: string | null, offset: number) {
  return useQuery({
    queryKey: ['report-postings', drill, offset],
    enabled: !!drill,
    queryFn: () =>
      unwrap(
        api.GET('/api/reports/postings', {
          params: { query: { ...(drillParams(drill ?? '', offset) as PostingsQuery), ...minPosition() } },
        }),
      ),
    placeholderData: keepPreviousData,
  })
}
