import { useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components } from '@/lib/api/schema'

export type Balance = components['schemas']['BalanceOut']

export function useCurrentBalances() {
  return useQuery({
    queryKey: ['balances', 'dashboard'],
    queryFn: () => unwrap(api.GET('/api/balances', { params: { query: { ...minPosition() } } })),
  })
}

/** Traffic totals over the last 30 days (spend, revenue, profit, ROI) in the report currency. */
export function useTrafficTotals(from: string, to: string) {
  return useQuery({
    queryKey: ['traffic', 'metrics', 'dashboard', from, to],
    queryFn: () => unwrap(api.GET('/api/traffic/metrics', { params: { query: { from, to, granularity: 'month', limit: 1, ...minPosition() } } })),
    select: (m) => ({ currency: m.currency, totals: m.totals }),
  })
}
