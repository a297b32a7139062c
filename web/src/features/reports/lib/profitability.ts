import Decimal from 'decimal.js'

import type { ProfitabilityRow } from '../api'

/** The top `n` rows by spend (exact decimal comparison), for the chart. */
export function topBySpend(rows: ProfitabilityRow[], n = 10): ProfitabilityRow[] {
  return [...rows].sort((a, b) => new Decimal(b.spend).comparedTo(new Decimal(a.spend))).slice(0, n)
}
