import { describe, expect, it } from 'vitest'

import { periodSeries } from './chart-data'

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
