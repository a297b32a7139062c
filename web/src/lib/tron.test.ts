import { describe, expect, it } from 'vitest'

import { cryptoSchema, cryptoToBody, isTronAddress, isTxHash, optionalCryptoSchema, tronscanAddressUrl, tronscanTxUrl } from './tron'

const HASH = 'ab'.repeat(32)
const FROM = 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8'
const TO = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'

describe('Tron hashes and addresses', () => {
  it('takes 64 hex characters as a hash, in any case', () => {
    expect(isTxHash(HASH)).toBe(true)
    expect(isTxHash(HASH.toUpperCase())).toBe(true)
    expect(isTxHash(HASH.slice(1))).toBe(false)
    expect(isTxHash(`${HASH}0`)).toBe(false)
    expect(isTxHash(`0x${HASH.slice(2)}`)).toBe(false)
    expect(isTxHash('g'.repeat(64))).toBe(false)
  })

  it('takes base58 T-addresses of 34 characters', () => {
    expect(isTronAddress(FROM)).toBe(true)
    expect(isTronAddress(TO)).toBe(true)
    expect(isTronAddress(FROM.slice(0, 33))).toBe(false)
    expect(isTronAddress(`A${FROM.slice(1)}`)).toBe(false)
    // 0, O, I and l are not base58.
    expect(isTronAddress(`T${'0'.repeat(33)}`)).toBe(false)
    expect(isTronAddress(`T${'O'.repeat(33)}`)).toBe(false)
    expect(isTronAddress('0x71C7656EC7ab88b098defB751B7401B5f6d8976F')).toBe(false)
  })

  it('links to TronScan', () => {
    expect(tronscanTxUrl(HASH)).toBe(`https://tronscan.org/#/transaction/${HASH}`)
    expect(tronscanAddressUrl(FROM)).toBe(`https://tronscan.org/#/address/${FROM}`)
  })
})

describe('crypto details form', () => {
  const ok = { token: 'USDT' as const, tx_hash: HASH, from: FROM, to: TO, fee_trx: '27.3447' }

  it('accepts valid details', () => {
    expect(cryptoSchema.safeParse(ok).success).toBe(true)
    expect(cryptoSchema.safeParse({ ...ok, fee_trx: '' }).success).toBe(true)
  })

  it('names each bad field', () => {
    const r = cryptoSchema.safeParse({ ...ok, tx_hash: 'abc', from: 'nope', to: FROM.toLowerCase(), fee_trx: '0.1234567' })
    expect(Object.fromEntries((r.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]))).toEqual({
      tx_hash: 'validation.txHash',
      from: 'validation.tronAddress',
      to: 'validation.tronAddress',
      fee_trx: 'validation.tokenAmount',
    })
    expect(cryptoSchema.safeParse({ ...ok, fee_trx: '-1' }).success).toBe(false)
  })

  it('checks nothing while the block is off', () => {
    expect(optionalCryptoSchema.safeParse({ enabled: false, token: 'USDT', tx_hash: 'x', from: '', to: '', fee_trx: '' }).success).toBe(true)
    const r = optionalCryptoSchema.safeParse({ enabled: true, token: 'USDT', tx_hash: 'x', from: FROM, to: TO, fee_trx: '' })
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['tx_hash'])
  })

  it('builds the body: lower-case hash, unsigned wallet amount, fee 0 by default', () => {
    expect(cryptoToBody({ ...ok, tx_hash: HASH.toUpperCase(), fee_trx: '' }, '-1500,25')).toEqual({
      network: 'tron',
      token: 'USDT',
      tx_hash: HASH,
      from: FROM,
      to: TO,
      amount: '1500.25',
      fee_trx: '0',
    })
  })
})
