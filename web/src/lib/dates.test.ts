import { describe, expect, it } from 'vitest'

import { datePattern, dayPlaceholder, formatDayInput, parseDayInput } from './dates'

describe('dates in the app’s language', () => {
  it('know each language’s order and separator', () => {
    expect(datePattern('en')).toEqual({ order: ['month', 'day', 'year'], separator: '/' })
    expect(datePattern('ru')).toEqual({ order: ['day', 'month', 'year'], separator: '.' })
  })

  it('show an ISO day in the language’s pattern', () => {
    expect(formatDayInput('2026-11-05', 'en')).toBe('11/05/2026')
    expect(formatDayInput('2026-11-05', 'ru')).toBe('05.11.2026')
    expect(formatDayInput('', 'ru')).toBe('')
    expect(formatDayInput('not a day', 'en')).toBe('')
  })

  it('read what is typed in the language’s order', () => {
    expect(parseDayInput('11/5/2026', 'en')).toBe('2026-11-05')
    expect(parseDayInput('5.11.2026', 'ru')).toBe('2026-11-05')
    // The same text means another day in the other language.
    expect(parseDayInput('05.11.2026', 'en')).toBe('2026-05-11')
    expect(parseDayInput(' 2026-11-05 ', 'ru')).toBe('2026-11-05')
  })

  it('refuse what is no day', () => {
    for (const text of ['', '31.02.2026', '13/01/2026', '1.1.26', '2026-13-01', '32.01.2026', 'yesterday', '1.1.2026.1']) {
      expect(parseDayInput(text, text.includes('/') ? 'en' : 'ru'), text).toBeNull()
    }
    expect(parseDayInput('29.02.2028', 'ru')).toBe('2028-02-29')
    expect(parseDayInput('29.02.2026', 'ru')).toBeNull()
  })

  it('round-trip every day of a year in both languages', () => {
    for (const locale of ['en', 'ru']) {
      for (let d = new Date(Date.UTC(2028, 0, 1)); d.getUTCFullYear() === 2028; d.setUTCDate(d.getUTCDate() + 1)) {
        const iso = d.toISOString().slice(0, 10)
        expect(parseDayInput(formatDayInput(iso, locale), locale)).toBe(iso)
      }
    }
  })

  it('build the placeholder from the language’s letters', () => {
    expect(dayPlaceholder('en', { day: 'D', month: 'M', year: 'Y' })).toBe('MM/DD/YYYY')
    expect(dayPlaceholder('ru', { day: 'Д', month: 'М', year: 'Г' })).toBe('ДД.ММ.ГГГГ')
  })
})
