import { describe, expect, it } from 'vitest'

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
