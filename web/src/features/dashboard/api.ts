import { useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'

import { TRAFFIC_DAYS } from './lib/traffic-series'

/** Cash, this month against last, receivables and payables, overdue invoices and top projects, in `currency`. */
export function useDashboard(currency: string) {
  return useQuery({
    queryKey: ['reports', 'dashboard', currency],
    queryFn: () => unwrap(api.GET('/api/reports/dashboard', { params: { query: { currency, ...minPosition() } } })),
  })
}

/** Traffic per day from `from` to `to` (spend, revenue, ROI, and the totals) in `currency`. */
export function useTrafficDaily(from: string, to: string, currency: string) {
  return useQuery({
    queryKey: ['traffic', 'metrics', 'dashboard', from, to, currency],
    // One row per day without grouping: the range's days bound the rows.
    queryFn: () => unwrap(api.GET('/api/traffic/metrics', { params: { query: { from, to, currency, granularity: 'day', limit: TRAFFIC_DAYS, ...minPosition() } } })),
  })
}
