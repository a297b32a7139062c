import type { Pnl, PnlRow } from '../accounting-api'

/** What the P&L groups by (the server's `group_by` names), at most two of them. */
export const PNL_DIMS = ['month', 'project', 'category', 'counterparty', 'account'] as const
export type PnlDim = (typeof PNL_DIMS)[number]
export const DEFAULT_PNL_GROUP: PnlDim[] = ['month', 'category']
const MAX_DIMS = 2

export const isPnlDim = (s: string): s is PnlDim => (PNL_DIMS as readonly string[]).includes(s)

/** The grouping in a URL's `group_by` (comma-separated): known names, each once, at most two; else the default. */
export function parsePnlGroup(raw: string | null | undefined): PnlDim[] {
  const dims = [...new Set((raw ?? '').split(',').map((s) => s.trim()))].filter(isPnlDim).slice(0, MAX_DIMS)
  return dims.length ? dims : DEFAULT_PNL_GROUP
}

/** The URL value of a grouping; blank for the default (the URL stays clean). */
export const pnlGroupParam = (dims: PnlDim[]) => (dims.join(',') === DEFAULT_PNL_GROUP.join(',') ? '' : dims.join(','))

type Key = PnlRow['keys'][number]

/** A key as shown: a month as YYYY-MM, anything else by its name (`none` when unset). */
export const keyLabel = (k: Key, none: string) => (k.dimension === 'month' ? (k.value ?? '').slice(0, 7) || none : (k.name ?? none))

/**
 * The chart's bars: income, expenses and profit along the months when the grouping has them,
 * else along the first dimension, summed over the other one. Months run in order; other keys
 * keep the report's order.
 */
export function pnlChart(pnl: Pnl, none: string) {
  const dims = pnl.group_by
  const along = dims.includes('month') ? 'month' : dims[0]
  const groups = new Map<string, { label: string; income: number; expenses: number; profit: number }>()
  for (const r of pnl.rows) {
    const k = r.keys.find((x) => x.dimension === along)
    const id = k?.value ?? ''
    const row = groups.get(id) ?? { label: k ? keyLabel(k, none) : '', income: 0, expenses: 0, profit: 0 }
    // Chart lengths only; the tables show the exact decimals.
    row.income += Number(r.income)
    row.expenses += Number(r.expenses)
    row.profit += Number(r.profit)
    groups.set(id, row)
  }
  const out = [...groups.entries()]
  if (along === 'month') out.sort(([a], [b]) => a.localeCompare(b))
  return out.map(([, v]) => v)
}
