import { describe, expect, it } from 'vitest'

import { accountSchema } from './schemas'

const base = { name: 'Bank', code: '', type: 'asset', kind: 'bank', currency: 'USD', description: '', tron_address: '', opening_balance: '', opening_date: '' }
const messages = (v: object) => {
  const r = accountSchema.safeParse({ ...base, ...v })
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}:${i.message}`)
}

describe('accountSchema', () => {
  it('accepts a plain account', () => expect(messages({})).toEqual([]))
  it('requires a name', () => expect(messages({ name: '  ' })).toEqual(['name:validation.required']))
  it('checks the opening balance against the currency scale', () => {
    expect(messages({ opening_balance: '10.123' })).toEqual(['opening_balance:validation.tooManyDecimals'])
    expect(messages({ opening_balance: '10,12' })).toEqual([])
    expect(messages({ currency: 'JPY', opening_balance: '10.5' })).toEqual(['opening_balance:validation.tooManyDecimals'])
    expect(messages({ currency: 'USDT', opening_balance: '10.123456' })).toEqual([])
    expect(messages({ opening_balance: 'ten' })).toEqual(['opening_balance:validation.amount'])
  })
  it('validates Tron addresses', () => {
    expect(messages({ kind: 'crypto_wallet', currency: 'USDT', tron_address: 'TXYZ' })).toEqual(['tron_address:validation.tronAddress'])
    expect(messages({ kind: 'crypto_wallet', currency: 'USDT', tron_address: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' })).toEqual([])
  })
  it('refuses unknown currencies', () => expect(messages({ currency: 'XXX' })).toEqual(['currency:validation.currency']))
})
