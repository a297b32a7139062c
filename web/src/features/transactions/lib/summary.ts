import Decimal from 'decimal.js'

import { currencyScale } from '@/lib/money'

import type { Transaction } from '../api'

/** A transaction's size: the sum of its debits per currency (decimal arithmetic). */
export function debitTotals(tx: Transaction): [string, string][] {
  const sums = new Map<string, Decimal>()
  for (const e of tx.entries) {
    const a = new Decimal(e.amount)
    if (a.isPositive() && !a.isZero()) sums.set(e.currency, (sums.get(e.currency) ?? new Decimal(0)).plus(a))
  }
  return [...sums].map(([c, v]) => [c, v.toFixed(currencyScale(c))])
}
