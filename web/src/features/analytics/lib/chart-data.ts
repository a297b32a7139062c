import Decimal from 'decimal.js'

import type { MetricsRow } from '../api'

export interface PeriodPoint {
  period: string
  spend: string
  revenue: string
  profit: string
  /** Percent; null when nothing was spent. */
  roi: string | null
}

/**
 * Sums the rows of each period over all groups (exactly, as decimals) and derives the
 * period's profit and ROI, in period order.
 */
export function periodSeries(rows: readonly MetricsRow[]): PeriodPoint[] {
  const by = new Map<string, { spend: Decimal; revenue: Decimal }>()
  for (const r of rows) {
    const p = r.period ?? ''
    const cur = by.get(p) ?? { spend: new Decimal(0), revenue: new Decimal(0) }
    cur.spend = cur.spend.plus(r.spend)
    cur.revenue = cur.revenue.plus(r.revenue)
    by.set(p, cur)
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([period, { spend, revenue }]) => {
      const profit = revenue.minus(spend)
      return {
        period,
        spend: spend.toString(),
        revenue: revenue.toString(),
        profit: profit.toString(),
        roi: spend.isZero() ? null : profit.div(spend).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toString(),
      }
    })
}
