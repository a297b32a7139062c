import Decimal from 'decimal.js'

import { currencyScale } from '@/lib/money'

import type { InvoiceDetail, PostedTransaction } from '../api'

export type CandidateState = 'ok' | 'applied' | 'reversed' | 'settlesNothing'

/**
 * What a posted transaction would settle of the invoice, as the server reckons it
 * (api/src/ledger/invoices.rs): the sum of its legs on the invoice's control account, credited
 * for a receivable, debited for a payable; null when that is not positive.
 */
export function settledAmount(tx: PostedTransaction, invoice: Pick<InvoiceDetail, 'control_account_id' | 'direction' | 'currency'>): string | null {
  if (!invoice.control_account_id) return null
  const moved = tx.entries.filter((e) => e.account_id === invoice.control_account_id).reduce((sum, e) => sum.plus(e.amount), new Decimal(0))
  const applied = invoice.direction === 'receivable' ? moved.negated() : moved
  return applied.gt(0) ? applied.toFixed(currencyScale(invoice.currency)) : null
}

/** Whether a transaction can be applied to the invoice, and if not, why. */
export function candidateState(tx: PostedTransaction, invoice: InvoiceDetail): CandidateState {
  if (invoice.payments.some((p) => p.transaction_id === tx.id)) return 'applied'
  if (tx.reversed_by) return 'reversed'
  return settledAmount(tx, invoice) ? 'ok' : 'settlesNothing'
}

/** The invoice's own postings (its issue, its payments' movements, their reversals): never offered. */
export const ownPostings = (invoice: InvoiceDetail) => new Set([...invoice.transaction_ids, ...invoice.reversal_ids])
