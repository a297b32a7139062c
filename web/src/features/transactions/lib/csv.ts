import { toCsv } from '@/lib/csv'

import type { Transaction } from '../api'

/** One CSV row per entry, so amounts stay exact decimal strings. */
export function transactionsCsv(
  txs: Transaction[],
  names: { account: (id: string) => string; project: (id: string) => string; category: (id: string) => string; counterparty: (id: string) => string },
): string {
  const rows: (string | number | null | undefined)[][] = [
    ['transaction_id', 'date', 'kind', 'description', 'account', 'amount', 'currency', 'price_currency', 'price_total', 'memo', 'project', 'category', 'counterparty', 'tags', 'reversed_by', 'reverses', 'position'],
  ]
  for (const tx of txs) {
    for (const e of tx.entries) {
      rows.push([
        tx.id,
        tx.date,
        tx.kind,
        tx.description,
        names.account(e.account_id),
        e.amount,
        e.currency,
        e.price?.currency,
        e.price?.total,
        e.memo,
        tx.project_id ? names.project(tx.project_id) : '',
        tx.category_id ? names.category(tx.category_id) : '',
        tx.counterparty_id ? names.counterparty(tx.counterparty_id) : '',
        tx.tags.join(';'),
        tx.reversed_by,
        tx.reverses,
        tx.position,
      ])
    }
  }
  return toCsv(rows)
}
