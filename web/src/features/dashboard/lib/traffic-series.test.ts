import { describe, expect, it } from 'vitest'

import { dailySeries, lastDays } from './traffic-series'

const row = (period: string, spend: string, revenue: string, roi: string | null) => ({ period, spend, revenue, roi }) as Parameters<typeof dailySeries>[0][number]

describe('the dashboard traffic series', () => {
  it('covers the 30 days ending today, across a month end', () => {
    expect(lastDays('2026-11-26')).toEqual({ from: '2026-10-28', to: '2026-11-26' })
    expect(lastDays('2026-03-01')).toEqual({ from: '2026-01-31', to: '2026-03-01' })
  })

  it('has every day, the server’s figures where there was traffic and zeros elsewhere', () => {
    const s = dailySeries([row('2026-11-02', '10.50', '21.00', '100.00'), row('2026-11-04', '0.00', '5.00', null)], '2026-11-01', '2026-11-04')
    expect(s).toEqual([
      { day: '2026-11-01', spend: '0', revenue: '0', roi: null },
      { day: '2026-11-02', spend: '10.50', revenue: '21.00', roi: '100.00' },
      { day: '2026-11-03', spend: '0', revenue: '0', roi: null },
      { day: '2026-11-04', spend: '0.00', revenue: '5.00', roi: null },
    ])
    expect(dailySeries([], ...Object.values(lastDays('2026-11-26')) as [string, string])).toHaveLength(30)
  })
})
