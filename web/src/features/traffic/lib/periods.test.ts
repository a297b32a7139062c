import { describe, expect, it } from 'vitest'

import { periodSeries } from './chart-data'
import { isIsoDay, presetOf, presetRange } from './periods'

describe('period presets', () => {
  it('counts back from today, inclusive', () => {
    expect(presetRange('last7', '2026-11-26')).toEqual({ from: '2026-11-20', to: '2026-11-26' })
    expect(presetRange('last30', '2026-03-01')).toEqual({ from: '2026-01-31', to: '2026-03-01' })
    expect(presetRange('last90', '2026-11-26')).toEqual({ from: '2026-08-29', to: '2026-11-26' })
    expect(presetRange('thisMonth', '2026-11-26')).toEqual({ from: '2026-11-01', to: '2026-11-26' })
    expect(presetRange('lastMonth', '2026-03-15')).toEqual({ from: '2026-02-01', to: '2026-02-28' })
    expect(presetRange('lastMonth', '2026-01-10')).toEqual({ from: '2025-12-01', to: '2025-12-31' })
  })

  it('recognises a preset range, anything else is custom', () => {
    expect(presetOf('2026-11-20', '2026-11-26', '2026-11-26')).toBe('last7')
    expect(presetOf('2026-10-01', '2026-10-05', '2026-11-26')).toBe('custom')
    expect(isIsoDay('2026-10-01')).toBe(true)
    expect(isIsoDay('10/01/2026')).toBe(false)
    expect(isIsoDay(null)).toBe(false)
  })
})

describe('periodSeries', () => {
  const row = (period: string, spend: string, revenue: string) =>
    ({ period, spend, revenue, group: {}, names: {}, impressions: 0, clicks: 0, installs: 0, tracker_clicks: 0, conversions: 0, profit: '0' }) as never

  it('sums each period over its groups exactly, with profit and ROI (null without spend)', () => {
    const s = periodSeries([row('2026-10-02', '0.1', '0'), row('2026-10-01', '10', '15'), row('2026-10-02', '0.2', '0.6'), row('2026-10-03', '0', '5')])
    expect(s).toEqual([
      { period: '2026-10-01', spend: '10', revenue: '15', profit: '5', roi: '50' },
      { period: '2026-10-02', spend: '0.3', revenue: '0.6', profit: '0.3', roi: '100' },
      { period: '2026-10-03', spend: '0', revenue: '5', profit: '5', roi: null },
    ])
  })
})
