import type { ColumnDef, PaginationState } from '@tanstack/react-table'
import { useMemo, useState } from 'react'
import toast from 'react-hot-toast'

import { DataTable } from '@/components/data-table'
import { DateField } from '@/components/date-field'
import { PageHeader } from '@/components/page-header'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { formatDecimal } from '@/lib/money'

import { useRates, useSetRate, type Rate } from '../api'
import { Converter } from '../components/converter'
import { CurrencyOptions } from '../components/currency-options'
import { RateForm } from '../components/rate-form'
import { SyncButtons } from '../components/sync-buttons'
import { messages } from '../i18n'

export default function RatesPage() {
  const { t, date, locale } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const [filters, setFilters] = useState({ base: '', quote: '', from: '', to: '' })
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 25 })
  const query = useRates({
    base: filters.base || undefined,
    quote: filters.quote || undefined,
    from: filters.from || undefined,
    to: filters.to || undefined,
    limit: pagination.pageSize,
    offset: pagination.pageIndex * pagination.pageSize,
  })
  const setRate = useSetRate()
  const set = (k: keyof typeof filters) => (value: string) => {
    setFilters((f) => ({ ...f, [k]: value }))
    setPagination((p) => ({ ...p, pageIndex: 0 }))
  }

  const columns = useMemo<ColumnDef<Rate, unknown>[]>(
    () => [
      { id: 'date', header: t('common.date'), cell: ({ row }) => <span className="tabular-nums">{date(row.original.date)}</span> },
      { id: 'pair', header: `${t('rates.base')} / ${t('rates.quote')}`, cell: ({ row }) => `${row.original.base} / ${row.original.quote}` },
      {
        id: 'rate',
        header: () => <span className="block text-right">{t('rates.rate')}</span>,
        cell: ({ row }) => <span className="block text-right tabular-nums">{formatDecimal(row.original.rate, locale)}</span>,
      },
      { id: 'source', header: t('rates.source'), cell: ({ row }) => <span className="text-muted-foreground">{row.original.source}</span> },
    ],
    [t, date, locale],
  )

  return (
    <>
      <PageHeader title={t('nav.rates')} description={t('rates.description')} />
      <div className="grid gap-6 xl:grid-cols-[1fr_24rem]">
        <section aria-label={t('rates.table')} className="min-w-0">
          <div className="mb-4 flex flex-wrap items-end gap-2">
            <div className="grid gap-1.5">
              <Label htmlFor="rf-base">{t('rates.base')}</Label>
              <NativeSelect id="rf-base" className="w-36" value={filters.base} onChange={(e) => set('base')(e.target.value)}>
                <option value="">{t('rates.anyCurrency')}</option>
                <CurrencyOptions />
              </NativeSelect>
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="rf-quote">{t('rates.quote')}</Label>
              <NativeSelect id="rf-quote" className="w-36" value={filters.quote} onChange={(e) => set('quote')(e.target.value)}>
                <option value="">{t('rates.anyCurrency')}</option>
                <CurrencyOptions />
              </NativeSelect>
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="rf-from">{t('analytics.from')}</Label>
              <DateField id="rf-from" className="w-40" value={filters.from} onChange={set('from')} />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="rf-to">{t('analytics.to')}</Label>
              <DateField id="rf-to" className="w-40" value={filters.to} onChange={set('to')} />
            </div>
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
            emptyTitle={t('rates.empty')}
            getRowId={(r) => `${r.date}-${r.base}-${r.quote}`}
            label={t('rates.table')}
            testId="rates-table"
          />
        </section>
        <div className="grid content-start gap-6">
          <Card>
            <CardHeader>
              <CardTitle>{t('rates.converter')}</CardTitle>
            </CardHeader>
            <CardContent>
              <Converter />
            </CardContent>
          </Card>
          {writer && (
            <>
              <Card>
                <CardHeader>
                  <CardTitle>{t('rates.add')}</CardTitle>
                </CardHeader>
                <CardContent>
                  <RateForm
                    onSubmit={async (body) => {
                      const r = await setRate.mutateAsync(body)
                      toast.success(r.written > 0 ? t('rates.added') : t('rates.alreadyThere'))
                    }}
                  />
                </CardContent>
              </Card>
              <Card>
                <CardHeader>
                  <CardTitle>{t('rates.sync')}</CardTitle>
                </CardHeader>
                <CardContent>
                  <SyncButtons />
                </CardContent>
              </Card>
            </>
          )}
        </div>
      </div>
    </>
  )
}
