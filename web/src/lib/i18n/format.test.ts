import { describe, expect, it } from 'vitest'

import { formatDate, formatDateTime, formatNumber, translate } from '.'

/** ICU uses (narrow) no-break spaces; compare with plain spaces. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')

describe('locale formatting', () => {
  it('formats calendar days for the locale without shifting them across time zones', () => {
    expect(formatDate('2026-01-01', 'en')).toBe('Jan 1, 2026')
    expect(plain(formatDate('2026-01-01', 'ru'))).toBe('1 янв. 2026 г.')
    expect(formatDate('2026-12-31', 'en')).toBe('Dec 31, 2026')
    expect(formatDate(null, 'en')).toBe('')
  })

  it('formats instants and counts for the locale', () => {
    expect(formatDateTime('not a date', 'en')).toBe('not a date')
    expect(formatDateTime('2026-11-02T10:00:00Z', 'ru')).toMatch(/2026/)
    expect(formatNumber(10000, 'en')).toBe('10,000')
    expect(plain(formatNumber(10000, 'ru'))).toBe('10 000')
    expect(plain(formatNumber(1234.5, 'ru'))).toBe('1 234,5')
  })

  it('translates with placeholders and falls back to English', () => {
    expect(translate('en', 'table.range', { from: 1, to: 20, total: 45 })).toBe('1–20 of 45')
    expect(translate('ru', 'nav.transactions')).not.toBe(translate('en', 'nav.transactions'))
  })
})
