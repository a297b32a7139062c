import type { ColumnDef, PaginationState } from '@tanstack/react-table'
import { ChartColumn, Plus } from 'lucide-react'
import { useMemo, useState } from 'react'
import { Link } from 'react-router'

import { DataTable } from '@/components/data-table'
import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { useDebounced } from '@/hooks/use-debounced'
import { useAllCounterparties } from '@/hooks/use-lookups'
import { useSearchParam } from '@/hooks/use-search-param'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'

import { DIRECTIONS, INVOICE_STATUSES, useInvoices, type Direction, type Invoice } from '../api'
import { InvoiceDialog } from '../components/invoice-dialog'
import { InvoiceStatusBadge } from '../components/invoice-parts'
import { messages } from '../i18n'

const SORTS = ['-issue_date', 'due_date', '-due_date', 'number', '-total', '-open'] as const

export default function InvoiceListPage() {
  const { t, date } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const counterparties = useAllCounterparties()
  const [params, setParam] = useSearchParam()
  const f = (k: string) => params.get(k) ?? ''
  const [q, setQ] = useState(f('q'))
  const debouncedQ = useDebounced(q)
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 25 })
  const [creating, setCreating] = useState(false)
  const query = useInvoices({
    direction: (f('direction') || undefined) as Direction | undefined,
    status: f('status') || undefined,
    counterparty_id: f('counterparty_id') || undefined,
    currency: f('currency') || undefined,
    issue_from: f('issue_from') || undefined,
    issue_to: f('issue_to') || undefined,
    due_from: f('due_from') || undefined,
    due_to: f('due_to') || undefined,
    q: debouncedQ.trim() || undefined,
    sort: f('sort') || undefined,
    limit: pagination.pageSize,
    offset: pagination.pageIndex * pagination.pageSize,
  })
  const setFilter = (key: string, value: string) => {
    setParam(key, value)
    setPagination((p) => ({ ...p, pageIndex: 0 }))
  }
  const names = useMemo(() => new Map((counterparties.data ?? []).map((c) => [c.id, c.name])), [counterparties.data])

  const columns = useMemo<ColumnDef<Invoice, unknown>[]>(
    () => [
      {
        id: 'number',
        header: t('invoices.number'),
        cell: ({ row }) => (
          <Link to={`/invoices/${row.original.id}`} className="text-primary font-medium underline-offset-4 hover:underline" data-testid="invoice-link">
            {row.original.number ?? t('invoices.draftNumber')}
          </Link>
        ),
      },
      { id: 'direction', header: t('invoices.direction'), cell: ({ row }) => t(`invoiceDirection.${row.original.direction as Direction}`) },
      { id: 'counterparty', header: t('tx.counterparty'), cell: ({ row }) => names.get(row.original.counterparty_id) ?? '—' },
      { id: 'issue', header: t('invoices.issueDate'), cell: ({ row }) => date(row.original.issue_date) },
      { id: 'due', header: t('invoices.dueDate'), cell: ({ row }) => date(row.original.due_date) },
      { id: 'status', header: t('common.status'), cell: ({ row }) => <InvoiceStatusBadge status={row.original.status} /> },
      {
        id: 'total',
        header: () => <span className="block text-right">{t('invoices.total')}</span>,
        cell: ({ row }) => <Money className="block text-right" amount={row.original.total} currency={row.original.currency} />,
      },
      {
        id: 'open',
        header: () => <span className="block text-right">{t('invoices.open')}</span>,
        cell: ({ row }) => <Money className="block text-right" amount={row.original.open} currency={row.original.currency} />,
      },
    ],
    [t, date, names],
  )

  return (
    <>
      <PageHeader
        title={t('nav.invoices')}
        description={t('invoices.description')}
        actions={
          <>
            <Button variant="outline" asChild>
              <Link to="/invoices/aging">
                <ChartColumn /> {t('nav.aging')}
              </Link>
            </Button>
            {writer && (
              <Button onClick={() => setCreating(true)}>
                <Plus /> {t('invoices.new')}
              </Button>
            )}
          </>
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-2" role="search" aria-label={t('invoices.filters')}>
        <Input
          type="search"
          className="w-56"
          placeholder={t('common.search')}
          aria-label={t('common.search')}
          value={q}
          onChange={(e) => {
            setQ(e.target.value)
            setPagination((p) => ({ ...p, pageIndex: 0 }))
          }}
        />
        <NativeSelect className="w-40" aria-label={t('invoices.direction')} value={f('direction')} onChange={(e) => setFilter('direction', e.target.value)}>
          <option value="">{t('invoices.allDirections')}</option>
          {DIRECTIONS.map((d) => (
            <option key={d} value={d}>
              {t(`invoiceDirection.${d}`)}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect className="w-40" aria-label={t('common.status')} value={f('status')} onChange={(e) => setFilter('status', e.target.value)}>
          <option value="">{t('invoices.allStatuses')}</option>
          {INVOICE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`invoiceStatus.${s}`)}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect className="w-48" aria-label={t('tx.counterparty')} value={f('counterparty_id')} onChange={(e) => setFilter('counterparty_id', e.target.value)}>
          <option value="">{t('invoices.allCounterparties')}</option>
          {(counterparties.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect className="w-32" aria-label={t('common.currency')} value={f('currency')} onChange={(e) => setFilter('currency', e.target.value)}>
          <option value="">{t('common.allCurrencies')}</option>
          {CURRENCIES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </NativeSelect>
        {(['issue_from', 'issue_to', 'due_from', 'due_to'] as const).map((k) => (
          <Input key={k} type="date" className="w-40" aria-label={t(`invoices.range.${k}`)} title={t(`invoices.range.${k}`)} value={f(k)} onChange={(e) => setFilter(k, e.target.value)} />
        ))}
        <NativeSelect className="w-44" aria-label={t('invoices.sort')} value={f('sort') || '-issue_date'} onChange={(e) => setFilter('sort', e.target.value === '-issue_date' ? '' : e.target.value)}>
          {SORTS.map((s) => (
            <option key={s} value={s}>
              {t(`invoices.sortBy.${s}`)}
            </option>
          ))}
        </NativeSelect>
      </div>
      <DataTable
        columns={columns}
        data={query.data?.items}
        total={query.data?.total ?? 0}
        pagination={pagination}
        onPaginationChange={setPagination}
        isLoading={query.isFetching}
        error={query.error}
        onRetry={() => void query.refetch()}
        emptyTitle={t('invoices.empty')}
        getRowId={(r) => r.id}
        label={t('nav.invoices')}
        testId="invoices-table"
      />
      {writer && <InvoiceDialog open={creating} onOpenChange={setCreating} />}
    </>
  )
}
