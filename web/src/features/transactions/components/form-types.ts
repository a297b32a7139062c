import type { Transaction, TransactionIn } from '../api'
import type { Refs } from '../lib/meta'

export type TransactionBody = Omit<TransactionIn, 'idempotency_key'>

export interface TransactionFormProps {
  refs: Refs
  /** The transaction being edited (its values prefill the form). */
  initial?: Transaction | null
  /** Posts the transaction; throws an ApiError when the server refuses it. */
  onSubmit: (body: TransactionBody) => Promise<void>
  onCancel: () => void
}
