import { formatDate } from '@/lib/i18n'
import { formatMoney, formatPercent } from '@/lib/money'

import type { Figures } from '../api'

/** Every figure a metrics row has, in the order tables show them. */
export const METRIC_KEYS = [
  'impressions',
  'clicks',
  'installs',
  'conversions',
  'spend',
  'revenue',
  'profit',
  'ctr',
  'cr',
  'cpc',
  'cpm',
  'cpi',
  'cpa',
  'epc',
  'roi',
  'roas',
] as const satisfies readonly (keyof Figures)[]
export type MetricKey = (typeof METRIC_KEYS)[number]

/** Figures the server can sort metric rows by (besides the period). */
export const SORTABLE_METRICS: ReadonlySet<MetricKey> = new Set<MetricKey>(['impressions', 'clicks', 'installs', 'conversions', 'spend', 'revenue', 'profit'])

type MetricKind = 'count' | 'money' | 'unitMoney' | 'percent' | 'ratio'

export const METRIC_KIND: Record<MetricKey, MetricKind> = {
  impressions: 'count',
  clicks: 'count',
  installs: 'count',
  conversions: 'count',
  spend: 'money',
  revenue: 'money',
  profit: 'money',
  ctr: 'percent',
  cr: 'percent',
  cpc: 'unitMoney',
  cpm: 'unitMoney',
  cpi: 'unitMoney',
  cpa: 'unitMoney',
  epc: 'unitMoney',
  roi: 'percent',
  roas: 'ratio',
}

/** Shown for a ratio whose denominator is zero: undefined, which is not the same as 0. */
export const NO_VALUE = '—'

/**
 * Formats one metric for `locale`: counts with grouping, money in the report currency (unit
 * costs with up to 4 decimals), CTR/CR/ROI as percentages, ROAS as a multiple. Null and
 * undefined are "—", never 0.
 */
export function formatMetric(key: MetricKey, value: string | number | null | undefined, currency: string, locale: string): string {
  if (value === null || value === undefined || value === '') return NO_VALUE
  switch (METRIC_KIND[key]) {
    case 'count':
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(typeof value === 'number' ? value : (value as unknown as number))
    case 'money':
      return formatMoney(String(value), currency, locale)
    case 'unitMoney':
      return formatMoney(String(value), currency, locale, { maxDecimals: 4 })
    case 'percent':
      return formatPercent(String(value), locale)
    case 'ratio':
      return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(String(value) as unknown as number)}×`
  }
}

/** Label of a period (its first day) at a granularity: a day, "week of <day>", or a month. */
export function formatPeriod(period: string | null | undefined, granularity: string, locale: string, weekOf: (date: string) => string): string {
  if (!period) return ''
  if (granularity === 'month') {
    const m = /^(\d{4})-(\d{2})/.exec(period)
    if (!m) return period
    return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)))
  }
  if (granularity === 'week') return weekOf(formatDate(period, locale))
  return formatDate(period, locale)
}

/** The API's `sort` for a table sorting state (none: the server's order, by period then group). */
export function metricsSort(sorting: readonly { id: string; desc: boolean }[]): string | undefined {
  const s = sorting[0]
  return s ? `${s.desc ? '-' : ''}${s.id}` : undefined
}
