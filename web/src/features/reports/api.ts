import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components } from '@/lib/api/schema'

export type Balance = components['schemas']['BalanceOut']
export type TrialBalance = components['schemas']['TrialBalanceOut']

export function useBalances(asOf: string) {
  return useQuery({
    queryKey: ['balances', 'report', asOf],
    queryFn: () => unwrap(api.GET('/api/balances', { params: { query: { as_of: asOf || undefined, ...minPosition() } } })),
  })
}

export function useTrialBalance(asOf: string) {
  return useQuery({
    queryKey: ['trial-balance', asOf],
    queryFn: () => unwrap(api.GET('/api/reports/trial-balance', { params: { query: { as_of: asOf || undefined, ...minPosition() } } })),
  })
}

export type Profitability = components['schemas']['Profitability']
export type ProfitabilityRow = components['schemas']['ProfitabilityRow']
export const PROFIT_GROUPS = ['campaign', 'offer', 'program', 'project'] as const
export type ProfitGroup = (typeof PROFIT_GROUPS)[number]

export function useProfitability(query: { from: string; to: string; group_by: ProfitGroup; currency: string }) {
  return useQuery({
    queryKey: ['profitability', query],
    queryFn: () => unwrap(api.GET('/api/reports/profitability', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}
