import { describe, expect, it } from 'vitest'

import type { Transaction } from '../api'
import { transactionsCsv } from './csv'

const names = {
  account: (id: string) => ({ bank: 'Bank', eur: 'Euro bank, Berlin' })[id] ?? id,
  project: (id: string) => `Project ${id}`,
  category: (id: string) => `Category ${id}`,
  counterparty: (id: string) => `Counterparty ${id}`,
}

const fx: Transaction = {
  id: 't1',
  date: '2026-11-02',
  kind: 'journal',
  description: 'Bought "euros", twice\nsecond line',
  entries: [
    { account_id: 'eur', amount: '100.00', currency: 'EUR', price: { currency: 'USD', total: '108.15' } },
    { account_id: 'bank', amount: '-108.150000000001', currency: 'USD', memo: 'fee, incl.' },
  ],
  project_id: 'p',
  tags: ['fx', 'q4'],
  position: 42,
}

describe('transactionsCsv', () => {
  it('writes one row per entry with exact decimal strings and names, quoting what needs it', () => {
    const lines = transactionsCsv([fx], names).split('\r\n')
    expect(lines[0]).toBe(
      'transaction_id,date,kind,description,account,amount,currency,price_currency,price_total,memo,project,category,counterparty,tags,reversed_by,reverses,position',
    )
    // The quoted description spans two physical lines: split the record back on CRLF only.
    expect(lines).toHaveLength(3)
    expect(lines[1]).toBe('t1,2026-11-02,journal,"Bought ""euros"", twice\nsecond line","Euro bank, Berlin",100.00,EUR,USD,108.15,,Project p,,,fx;q4,,,42')
    expect(lines[2]).toBe('t1,2026-11-02,journal,"Bought ""euros"", twice\nsecond line",Bank,-108.150000000001,USD,,,"fee, incl.",Project p,,,fx;q4,,,42')
  })

  it('neutralises a formula in a description or memo and keeps negative amounts numbers', () => {
    const evil: Transaction = {
      ...fx,
      description: '=HYPERLINK("http://evil.example","open")',
      entries: [{ account_id: 'bank', amount: '-12.50', currency: 'USD', memo: '@SUM(A1:A9)' }],
    }
    const [, row] = transactionsCsv([evil], names).split('\r\n')
    expect(row).toBe(`t1,2026-11-02,journal,"'=HYPERLINK(""http://evil.example"",""open"")",Bank,-12.50,USD,,,"'@SUM(A1:A9)",Project p,,,fx;q4,,,42`)
  })

  it('has only the header for no transactions', () => {
    expect(transactionsCsv([], names).split('\r\n')).toHaveLength(1)
  })
})
