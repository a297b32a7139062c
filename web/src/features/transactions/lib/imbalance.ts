/**
 * The journal form's balance check, exactly as the server does it (domain/src/transaction.rs):
 * each entry contributes its amount in its account's currency, or, when priced, its weight in
 * the price currency (|amount| × rate rounded half-even to that currency's scale, or the given
 * total), with the entry's sign. A transaction posts only when every currency sums to zero.
 * All arithmetic is decimal; no floats.
 */
import Decimal from 'decimal.js'

import { currencyScale, decimalsOf, isDecimalString, normalizeAmountInput } from '@/lib/money'

export interface JournalLine {
  account_id: string
  /** Signed amount as typed: debit positive, credit negative. */
  amount: string
  price_currency?: string
  /** `rate` (per unit) or `total` (whole value) of the price. */
  price_mode?: 'rate' | 'total'
  price_value?: string
}

export interface LineProblem {
  index: number
  field: 'account_id' | 'amount' | 'price_value' | 'price_currency'
  message: string
}

export interface ImbalanceResult {
  /** Residual per currency, only currencies whose sum is not zero. */
  residual: Record<string, string>
  /** Sum of debits per currency (for the form's totals line). */
  debits: Record<string, string>
  problems: LineProblem[]
  balanced: boolean
}

function parse(text: string | undefined): Decimal | null {
  if (text === undefined) return null
  const n = normalizeAmountInput(text)
  if (!n || !isDecimalString(n)) return null
  return new Decimal(n)
}

/** Value of one line in the currency it balances in, or a problem. */
export function lineContribution(
  line: JournalLine,
  accountCurrency: string | undefined,
): { currency: string; amount: Decimal } | { problem: LineProblem['field']; message: string } {
  if (!line.account_id || !accountCurrency) return { problem: 'account_id', message: 'validation.required' }
  const raw = normalizeAmountInput(line.amount ?? '')
  const amount = parse(line.amount)
  if (!amount) return { problem: 'amount', message: raw ? 'validation.amount' : 'validation.required' }
  if (amount.isZero()) return { problem: 'amount', message: 'validation.nonZero' }
  if (decimalsOf(raw.replace(/^-/, '')) > currencyScale(accountCurrency)) return { problem: 'amount', message: 'validation.tooManyDecimals' }
  if (!line.price_currency) return { currency: accountCurrency, amount }
  if (line.price_currency === accountCurrency) return { problem: 'price_currency', message: 'validation.priceCurrencySame' }
  const value = parse(line.price_value)
  if (!value || value.lte(0)) return { problem: 'price_value', message: 'validation.positive' }
  const scale = currencyScale(line.price_currency)
  let magnitude: Decimal
  if ((line.price_mode ?? 'rate') === 'rate') {
    magnitude = amount.abs().times(value).toDecimalPlaces(scale, Decimal.ROUND_HALF_EVEN)
  } else {
    if (value.decimalPlaces() > scale) return { problem: 'price_value', message: 'validation.tooManyDecimals' }
    magnitude = value
  }
  if (magnitude.isZero()) return { problem: 'price_value', message: 'validation.priceZero' }
  return { currency: line.price_currency, amount: amount.isNegative() ? magnitude.negated() : magnitude }
}

export function computeImbalance(lines: JournalLine[], currencyOf: (accountId: string) => string | undefined): ImbalanceResult {
  const sums = new Map<string, Decimal>()
  const debits = new Map<string, Decimal>()
  const problems: LineProblem[] = []
  lines.forEach((line, index) => {
    const c = lineContribution(line, line.account_id ? currencyOf(line.account_id) : undefined)
    if ('problem' in c) {
      problems.push({ index, field: c.problem, message: c.message })
      return
    }
    sums.set(c.currency, (sums.get(c.currency) ?? new Decimal(0)).plus(c.amount))
    if (c.amount.isPositive()) debits.set(c.currency, (debits.get(c.currency) ?? new Decimal(0)).plus(c.amount))
  })
  const residual: Record<string, string> = {}
  for (const [currency, v] of sums) if (!v.isZero()) residual[currency] = v.toFixed(currencyScale(currency))
  const debitsOut: Record<string, string> = {}
  for (const [currency, v] of debits) debitsOut[currency] = v.toFixed(currencyScale(currency))
  return {
    residual,
    debits: debitsOut,
    problems,
    balanced: lines.length >= 2 && problems.length === 0 && Object.keys(residual).length === 0,
  }
}
