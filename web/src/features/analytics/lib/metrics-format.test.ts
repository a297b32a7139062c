import { describe, expect, it } from 'vitest'

import { formatMetric, formatPeriod, METRIC_KEYS, metricsSort, NO_VALUE } from './metrics-format'

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')
const weekOf = (d: string) => `Week of ${d}`

describe('formatMetric', () => {
  it('shows undefined ratios as "—", never 0', () => {
    for (const key of METRIC_KEYS) {
      expect(formatMetric(key, null, 'USD', 'en')).toBe(NO_VALUE)
      expect(formatMetric(key, undefined, 'USD', 'en')).toBe(NO_VALUE)
    }
    expect(NO_VALUE).toBe('—')
    // A real zero stays a zero.
    expect(formatMetric('roas', '0', 'USD', 'en')).toBe('0.00×')
    expect(formatMetric('clicks', 0, 'USD', 'en')).toBe('0')
  })

  it('formats counts, money, unit costs, percentages and multiples for the locale', () => {
    expect(formatMetric('impressions', 1234567, 'USD', 'en')).toBe('1,234,567')
    expect(plain(formatMetric('impressions', 1234567, 'USD', 'ru'))).toBe('1 234 567')
    expect(formatMetric('spend', '1234.5', 'USD', 'en')).toBe('$1,234.50')
    expect(formatMetric('profit', '-10.5', 'USD', 'en')).toBe('-$10.50')
    expect(plain(formatMetric('revenue', '1234.5', 'EUR', 'ru'))).toBe('1 234,50 €')
    expect(formatMetric('cpc', '0.2398', 'USD', 'en')).toBe('$0.2398')
    expect(formatMetric('cpi', '2.10', 'USD', 'en')).toBe('$2.10')
    expect(formatMetric('ctr', '4.57', 'USD', 'en')).toBe('4.57%')
    expect(plain(formatMetric('roi', '-100', 'USD', 'ru'))).toBe('-100,00 %')
    expect(formatMetric('roas', '1.25', 'USD', 'en')).toBe('1.25×')
    expect(plain(formatMetric('spend', '10', 'USDT', 'en'))).toBe('10.000000 USDT')
  })
})

describe('formatPeriod', () => {
  it('labels days, weeks and months', () => {
    expect(formatPeriod('2026-10-05', 'day', 'en', weekOf)).toBe('Oct 5, 2026')
    expect(formatPeriod('2026-10-05', 'week', 'en', weekOf)).toBe('Week of Oct 5, 2026')
    expect(formatPeriod('2026-10-01', 'month', 'en', weekOf)).toBe('October 2026')
    expect(formatPeriod('2026-10-01', 'month', 'ru', weekOf)).toMatch(/^октябрь 2026/)
    expect(formatPeriod(null, 'day', 'en', weekOf)).toBe('')
  })
})

describe('metricsSort', () => {
  it('maps the table sorting to the API parameter', () => {
    expect(metricsSort([])).toBeUndefined()
    expect(metricsSort([{ id: 'spend', desc: true }])).toBe('-spend')
    expect(metricsSort([{ id: 'period', desc: false }])).toBe('period')
  })
})
