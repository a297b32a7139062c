import { describe, expect, it } from 'vitest'

import { computeImbalance, type JournalLine } from './imbalance'

const currencies: Record<string, string> = { bank: 'USD', sales: 'USD', eur: 'EUR', wallet: 'USDT', yen: 'JPY' }
const currencyOf = (id: string) => currencies[id]
const line = (account_id: string, amount: string, price?: Partial<JournalLine>): JournalLine => ({ account_id, amount, ...price })

describe('computeImbalance', () => {
  it('balances when each currency sums to zero', () => {
    const r = computeImbalance([line('bank', '100.00'), line('sales', '-100')], currencyOf)
    expect(r.balanced).toBe(true)
    expect(r.residual).toEqual({})
    expect(r.debits).toEqual({ USD: '100.00' })
  })

  it('reports the residual per currency with exact decimals', () => {
    const r = computeImbalance([line('bank', '0.1'), line('bank', '0.2'), line('sales', '-0.3'), line('wallet', '1.000001'), line('yen', '-5')], currencyOf)
    expect(r.balanced).toBe(false)
    expect(r.residual).toEqual({ USDT: '1.000001', JPY: '-5' })
  })

  it('values priced entries in the price currency (rate rounds half-even, total keeps the sign)', () => {
    // 10.005 EUR... EUR scale 2: use 33.33 EUR @ 1.0815 = 36.046395 -> 36.05 USD
    const byRate = computeImbalance([line('eur', '-33.33', { price_currency: 'USD', price_mode: 'rate', price_value: '1.0815' }), line('bank', '36.05')], currencyOf)
    expect(byRate.balanced).toBe(true)
    const byTotal = computeImbalance([line('eur', '-100', { price_currency: 'USD', price_mode: 'total', price_value: '108.15' }), line('bank', '108.14')], currencyOf)
    expect(byTotal.residual).toEqual({ USD: '-0.01' })
    // half-even: 0.125 -> 0.12
    const halfEven = computeImbalance([line('wallet', '1', { price_currency: 'USD', price_mode: 'rate', price_value: '0.125' }), line('bank', '-0.12')], currencyOf)
    expect(halfEven.balanced).toBe(true)
  })

  it('flags invalid lines and never balances with them', () => {
    const r = computeImbalance(
      [line('bank', '1.001'), line('sales', '0'), line('', '5'), line('yen', '1.5'), line('bank', '1', { price_currency: 'USD', price_value: '2' })],
      currencyOf,
    )
    expect(r.balanced).toBe(false)
    expect(r.problems.map((p) => [p.index, p.field, p.message])).toEqual([
      [0, 'amount', 'validation.tooManyDecimals'],
      [1, 'amount', 'validation.nonZero'],
      [2, 'account_id', 'validation.required'],
      [3, 'amount', 'validation.tooManyDecimals'],
      [4, 'price_currency', 'validation.priceCurrencySame'],
    ])
  })

  it('needs two entries and accepts commas as decimal separators', () => {
    expect(computeImbalance([line('bank', '0')], currencyOf).balanced).toBe(false)
    expect(computeImbalance([line('bank', '12,50'), line('sales', '-12.5')], currencyOf).balanced).toBe(true)
  })
})
