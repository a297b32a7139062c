import { z } from 'zod'

import type { Account, Category, Counterparty, Project } from '@/hooks/use-lookups'
import { isDecimalString, normalizeAmountInput } from '@/lib/money'
import { blankToNull, today } from '@/lib/utils'

import type { OriginKind, Transaction, TransactionIn } from '../api'

/** Everything a transaction form picks from. */
export interface Refs {
  accounts: Account[]
  projects: Project[]
  categories: Category[]
  counterparties: Counterparty[]
}

export const metaSchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'validation.date'),
  description: z.string().trim().min(1, 'validation.required').max(500, 'validation.tooLong'),
  project_id: z.string(),
  category_id: z.string(),
  counterparty_id: z.string(),
  tags: z
    .string()
    .refine((s) => splitTags(s).length <= 20, 'validation.tooManyTags')
    .refine((s) => splitTags(s).every((t) => t.length <= 50), 'validation.tagTooLong'),
  /** A day of the closed month this posting corrects (the server answers its first day); blank: none. */
  adjusts: z.string().refine((s) => s === '' || /^\d{4}-\d{2}-\d{2}$/.test(s), 'validation.date'),
})

export type MetaValues = z.infer<typeof metaSchema>

/** A positive decimal amount as typed (comma or dot). */
export const positiveAmount = z
  .string()
  .refine((s) => normalizeAmountInput(s) !== '', 'validation.required')
  .refine((raw) => {
    const s = normalizeAmountInput(raw)
    return s === '' || (isDecimalString(s) && !s.startsWith('-') && !/^0+(\.0+)?$/.test(s))
  }, 'validation.positive')

export function splitTags(s: string): string[] {
  return s
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
}

export function metaDefaults(tx?: Transaction | null): MetaValues {
  return {
    date: tx?.date ?? today(),
    description: tx?.description ?? '',
    project_id: tx?.project_id ?? '',
    category_id: tx?.category_id ?? '',
    counterparty_id: tx?.counterparty_id ?? '',
    tags: (tx?.tags ?? []).join(', '),
    adjusts: tx?.adjusts ?? '',
  }
}

export function metaToBody(m: MetaValues): Pick<TransactionIn, 'date' | 'description' | 'project_id' | 'category_id' | 'counterparty_id' | 'tags' | 'adjusts'> {
  return {
    // Sent only when set: an ordinary posting's body stays as it was.
    ...(m.adjusts ? { adjusts: m.adjusts } : {}),
    date: m.date,
    description: m.description.trim(),
    project_id: blankToNull(m.project_id),
    category_id: blankToNull(m.category_id),
    counterparty_id: blankToNull(m.counterparty_id),
    tags: splitTags(m.tags),
  }
}

/** Maps a server error field (`description`, `income.amount`, `entries[1].amount`…) to a form path. */
export function mapServerField(field: string): string {
  if (['date', 'description', 'project_id', 'category_id', 'counterparty_id', 'tags', 'adjusts'].includes(field)) return `meta.${field}`
  const m = /^entries\[(\d+)\]\.(amount|account_id|memo|price\.(rate|total)|price\.currency|price)$/.exec(field)
  if (m) {
    const leaf = m[2].startsWith('price.currency') ? 'price_currency' : m[2].startsWith('price') ? 'price_value' : m[2]
    return `entries.${m[1]}.${leaf}`
  }
  const crypto = /^crypto\.(tx_hash|from|to|fee_trx)$/.exec(field)
  if (crypto) return `crypto.${crypto[1]}`
  const short = /^(income|expense|transfer)\.(\w+)$/.exec(field)
  if (short) return short[2] === 'to_amount' || short[2] === 'rate' ? 'rate_value' : short[2]
  return field
}

export const CRYPTO_FIELDS = ['crypto.tx_hash', 'crypto.from', 'crypto.to', 'crypto.fee_trx']

export const META_FIELDS = ['meta.date', 'meta.description', 'meta.project_id', 'meta.category_id', 'meta.counterparty_id', 'meta.tags', 'meta.adjusts']


export type FormKind = 'income' | 'expense' | 'transfer' | 'journal'

/** The form a transaction is edited with. */
export function formKindOf(tx: Transaction): FormKind {
  return tx.kind === 'income' || tx.kind === 'expense' || tx.kind === 'transfer' ? tx.kind : 'journal'
}

/**
 * The screen of what posted a transaction, by URL (the transactions feature links to it without
 * importing the feature that owns it); null when it has none.
 */
export function originHref(kind: OriginKind, id: string): string | null {
  if (kind === 'payout') return `/traffic/payouts/${id}`
  if (kind === 'recurring') return `/recurring/${id}`
  if (kind === 'invoice') return `/invoices/${id}`
  // A wallet's postings name the wallet account.
  if (kind === 'tron_wallet') return `/wallets/${id}`
  return null
}
