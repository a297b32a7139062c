import { flexRender, getCoreRowModel, useReactTable, type Cell, type ColumnDef } from '@tanstack/react-table'
import { useVirtualizer } from '@tanstack/react-virtual'
import { Link2, Pencil, Undo2 } from 'lucide-react'
import { memo, useEffect, useMemo, useRef } from 'react'
import { Link } from 'react-router'

import { Money } from '@/components/money'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import type { Account } from '@/hooks/use-lookups'
import { useI18n } from '@/lib/i18n'
import { cn } from '@/lib/utils'

import type { OriginKind, Transaction } from '../api'
import { messages } from '../i18n'
import { originHref } from '../lib/meta'
import { debitTotals } from '../lib/summary'

const ROW_HEIGHT = 44
const GRID = 'grid grid-cols-[7rem_minmax(12rem,2fr)_6.5rem_minmax(14rem,3fr)_10rem_6rem] items-center gap-3 px-3'

export function TransactionsTable({
  rows,
  total,
  accounts,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  canWrite,
  onReverse,
  onEdit,
}: {
  rows: Transaction[]
  total: number
  accounts: Map<string, Account>
  hasNextPage: boolean
  isFetchingNextPage: boolean
  fetchNextPage: () => void
  canWrite: boolean
  onReverse: (tx: Transaction) => void
  onEdit: (tx: Transaction) => void
}) {
  const { t, date, money } = useI18n(messages)
  const parentRef = useRef<HTMLDivElement>(null)

  const columns = useMemo<ColumnDef<Transaction, unknown>[]>(
    () => [
      { id: 'date', header: t('common.date'), cell: ({ row }) => <span className="tabular-nums">{date(row.original.date)}</span> },
      {
        id: 'description',
        header: t('common.description'),
        cell: ({ row }) => {
          const tx = row.original
          return (
            <div className="flex min-w-0 items-center gap-2">
              <Link to={`/transactions/${tx.id}`} className="truncate underline-offset-4 hover:underline" title={tx.description}>
                {tx.description}
              </Link>
              {tx.crypto && <CryptoBadge tx={tx} />}
              {tx.origin && <OriginBadge kind={tx.origin.kind} id={tx.origin.id} />}
              {tx.adjusts && (
                <Badge variant="outline" className="border-amber-300 bg-amber-50 text-amber-800" title={t('tx.adjustsMonth', { month: tx.adjusts.slice(0, 7) })} data-testid="adjustment-badge">
                  {t('tx.adjustment')}
                </Badge>
              )}
              {tx.reversed_by && <Badge variant="outline">{t('tx.reversed')}</Badge>}
              {tx.replaced_by && <Badge variant="outline">{t('tx.replaced')}</Badge>}
              {tx.tags.map((tag) => (
                <Badge key={tag} variant="secondary">
                  {tag}
                </Badge>
              ))}
            </div>
          )
        },
      },
      { id: 'kind', header: t('tx.kind'), cell: ({ row }) => <Badge variant="outline">{t(`txKind.${row.original.kind}`)}</Badge> },
      {
        id: 'entries',
        header: t('tx.entries'),
        cell: ({ row }) => {
          const text = row.original.entries
            .map((e) => `${accounts.get(e.account_id)?.name ?? '…'} ${money(e.amount, e.currency, { signed: true, withCurrency: false })}`)
            .join(' · ')
          return (
            <span className="text-muted-foreground block truncate text-xs" title={text}>
              {text}
            </span>
          )
        },
      },
      {
        id: 'amount',
        header: () => <span className="block text-right">{t('common.amount')}</span>,
        cell: ({ row }) => (
          <div className="flex flex-col items-end text-sm leading-tight">
            {debitTotals(row.original).map(([c, v]) => (
              <Money key={c} amount={v} currency={c} />
            ))}
          </div>
        ),
      },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('common.actions')}</span>,
        cell: ({ row }) => {
          const tx = row.original
          const done = !!tx.reversed_by || !!tx.replaced_by || tx.kind === 'reversal'
          if (!canWrite || done) return null
          return (
            <div className="flex justify-end gap-1">
              <Button variant="ghost" size="icon" onClick={() => onEdit(tx)} aria-label={t('tx.editNamed', { name: tx.description })} title={t('common.edit')}>
                <Pencil />
              </Button>
              <Button variant="ghost" size="icon" onClick={() => onReverse(tx)} aria-label={t('tx.reverseNamed', { name: tx.description })} title={t('tx.reverse')}>
                <Undo2 />
              </Button>
            </div>
          )
        },
      },
    ],
    [t, date, money, accounts, canWrite, onEdit, onReverse],
  )

  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (r) => r.id })
  const tableRows = table.getRowModel().rows

  const virtualizer = useVirtualizer({
    count: hasNextPage ? tableRows.length + 1 : tableRows.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  })
  const items = virtualizer.getVirtualItems()
  const lastIndex = items.length ? items[items.length - 1].index : -1

  // Load the next page when the loader row scrolls into view.
  useEffect(() => {
    if (lastIndex >= tableRows.length - 1 && hasNextPage && !isFetchingNextPage) fetchNextPage()
  }, [lastIndex, tableRows.length, hasNextPage, isFetchingNextPage, fetchNextPage])

  return (
    <div className="rounded-md border" role="table" aria-label={t('nav.transactions')} aria-rowcount={total}>
      <div role="rowgroup" className="bg-muted/40 border-b">
        {table.getHeaderGroups().map((hg) => (
          <div key={hg.id} role="row" className={cn(GRID, 'h-10 text-sm font-medium')}>
            {hg.headers.map((h) => (
              <div key={h.id} role="columnheader">
                {flexRender(h.column.columnDef.header, h.getContext())}
              </div>
            ))}
          </div>
        ))}
      </div>
      <div ref={parentRef} className="h-[calc(100svh-20rem)] min-h-80 overflow-auto" data-testid="tx-scroll" tabIndex={0} aria-label={t('tx.scrollRegion')}>
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((vi) => {
            const row = tableRows[vi.index]
            return row ? (
              <TxRow key={vi.key} tx={row.original} cells={row.getVisibleCells()} index={vi.index} start={vi.start} size={vi.size} />
            ) : (
              <div
                key={vi.key}
                role="row"
                aria-rowindex={vi.index + 2}
                data-testid="tx-loader"
                className={cn(GRID, 'absolute top-0 left-0 w-full border-b text-sm')}
                style={{ height: vi.size, transform: `translateY(${vi.start}px)` }}
              >
                <div role="cell" className="text-muted-foreground col-span-full">
                  {t('common.loading')}
                </div>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}

/**
 * One row. Memoised: while the list scrolls, rows that stay in view keep their props (the table
 * keeps a row's cells until the data or the columns change) and are not rendered again.
 */
const TxRow = memo(function TxRow({ tx, cells, index, start, size }: { tx: Transaction; cells: Cell<Transaction, unknown>[]; index: number; start: number; size: number }) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      data-testid="tx-row"
      className={cn(GRID, 'hover:bg-muted/50 absolute top-0 left-0 w-full border-b text-sm', (tx.reversed_by || tx.replaced_by) && 'opacity-60')}
      style={{ height: size, transform: `translateY(${start}px)` }}
    >
      {cells.map((cell) => (
        <div key={cell.id} role="cell" className="min-w-0">
          {flexRender(cell.column.columnDef.cell, cell.getContext())}
        </div>
      ))}
    </div>
  )
})

/** What posted a transaction (a payout, an invoice, a recurring rule), linked where it has a screen. */
function OriginBadge({ kind, id }: { kind: OriginKind; id: string }) {
  const { t } = useI18n(messages)
  const label = t(`originKind.${kind}`)
  const href = originHref(kind, id)
  const badge = (
    <Badge variant="secondary" data-testid="origin-badge">
      {label}
    </Badge>
  )
  if (!href) return badge
  return (
    <Link to={href} className="shrink-0 rounded-md outline-none focus-visible:ring-2" aria-label={t('tx.originLink', { kind: label.toLowerCase() })} title={t('tx.originLink', { kind: label.toLowerCase() })}>
      {badge}
    </Link>
  )
}

/** A posting backed by an on-chain transfer: the token, marked when a check against the chain failed. */
function CryptoBadge({ tx }: { tx: Transaction }) {
  const { t } = useI18n(messages)
  const status = tx.crypto_verification?.result.status
  return (
    <Link to={`/transactions/${tx.id}`} className="shrink-0 rounded-md outline-none focus-visible:ring-2" title={t('crypto.badgeTitle')}>
      <Badge variant={status && status !== 'verified' ? 'destructive' : 'secondary'} data-testid="crypto-badge">
        <Link2 aria-hidden /> {tx.crypto?.token}
        {status === 'verified' && ' ✓'}
      </Badge>
    </Link>
  )
}
