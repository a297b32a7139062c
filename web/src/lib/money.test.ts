import { describe, expect, it } from 'vitest'

import { currencyScale, formatMoney, formatPercent, sumDecimals, toScale } from './money'

/** ICU uses (narrow) no-break spaces; compare with plain spaces. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')

describe('formatMoney', () => {
  it('keeps each currency scale', () => {
    expect(formatMoney('1234.5', 'USD', 'en')).toBe('$1,234.50')
    expect(formatMoney('1234', 'JPY', 'en')).toBe('¥1,234')
    expect(plain(formatMoney('1.5', 'USDT', 'en'))).toBe('1.500000 USDT')
    expect(plain(formatMoney('0.000001', 'TRX', 'en'))).toBe('0.000001 TRX')
    expect(plain(formatMoney('0.1', 'BTC', 'en'))).toBe('0.10000000 BTC')
    expect(currencyScale('usdt')).toBe(6)
  })

  it('formats for the locale', () => {
    expect(plain(formatMoney('1234567.89', 'RUB', 'ru'))).toBe('1 234 567,89 ₽')
    expect(plain(formatMoney('1234.5', 'USD', 'ru'))).toBe('1 234,50 $')
    expect(plain(formatMoney('1234.5', 'USDT', 'ru'))).toBe('1 234,500000 USDT')
    expect(plain(formatMoney('1000', 'EUR', 'en'))).toBe('€1,000.00')
  })

  it('shows negative numbers', () => {
    expect(formatMoney('-1234.56', 'USD', 'en')).toBe('-$1,234.56')
    expect(plain(formatMoney('-1234.56', 'USD', 'ru'))).toBe('-1 234,56 $')
    expect(plain(formatMoney('-0.5', 'TRX', 'en'))).toBe('-0.500000 TRX')
    expect(formatMoney('5', 'USD', 'en', { signed: true })).toBe('+$5.00')
  })

  it('never goes through floats', () => {
    // 2^53 + 1 is not representable as a double.
    expect(plain(formatMoney('9007199254740993.01', 'USD', 'en', { withCurrency: false }))).toBe('9,007,199,254,740,993.01')
    expect(plain(formatMoney('0.1', 'USD', 'en', { withCurrency: false }))).toBe('0.10')
    expect(toScale('2.345', 2)).toBe('2.34') // half-even
    expect(toScale('2.355', 2)).toBe('2.36')
  })

  it('tolerates empty and invalid input', () => {
    expect(formatMoney(null, 'USD', 'en')).toBe('')
    expect(formatMoney('abc', 'USD', 'en')).toBe('abc')
  })
})

describe('formatMoney maxDecimals', () => {
  it('keeps unit-cost decimals beyond the currency scale, never fewer than the scale', () => {
    expect(formatMoney('0.0123', 'USD', 'en', { maxDecimals: 4 })).toBe('$0.0123')
    expect(formatMoney('12.5000', 'USD', 'en', { maxDecimals: 4 })).toBe('$12.50')
    expect(formatMoney('0.00015', 'USD', 'en', { maxDecimals: 4 })).toBe('$0.0002') // half-even
    expect(formatMoney('0.00005', 'USD', 'en', { maxDecimals: 4 })).toBe('$0.00')
    expect(plain(formatMoney('1.5', 'USDT', 'en', { maxDecimals: 4 }))).toBe('1.500000 USDT')
  })
})

describe('formatPercent and sumDecimals', () => {
  it('formats a percent value exactly for the locale', () => {
    expect(formatPercent('12.5', 'en')).toBe('12.50%')
    expect(plain(formatPercent('-3.14', 'ru'))).toBe('-3,14 %')
    expect(formatPercent('100', 'en')).toBe('100.00%')
  })

  it('sums decimal strings without floats', () => {
    expect(sumDecimals(['0.1', '0.2', null, '1000000000000000.01'])).toBe('1000000000000000.31')
  })
})
