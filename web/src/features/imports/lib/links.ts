import type { Import } from '../api'

/** Link to the analytics dashboard over an import's days (and its source, if any). */
export function metricsLinkOf(imp: Pick<Import, 'date_from' | 'date_to' | 'source_id' | 'kind'>): string | null {
  if (!imp.date_from || !imp.date_to) return null
  const p = new URLSearchParams({ from: imp.date_from, to: imp.date_to })
  if (imp.source_id && imp.kind === 'spend') p.set('source_id', imp.source_id)
  return `/traffic/analytics?${p}`
}
