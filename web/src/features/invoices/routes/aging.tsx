import type { PaginationState } from '@tanstack/react-table'
import { ArrowLeft } from 'lucide-react'
import { useState, type ReactNode } from 'react'
import { Link } from 'react-router'
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

import { DateField } from '@/components/date-field'
import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { Pagination } from '@/components/pagination'
import { Segmented } from '@/components/segmented'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'

import { AGING_BUCKETS, DIRECTIONS, useAging, type AgingReport, type Buckets, type Direction } from '../api'
import { messages } from '../i18n'

const COLORS = ['var(--color-chart-1)', 'var(--color-chart-2)', 'var(--color-chart-3)', 'var(--color-chart-4)', 'var(--color-chart-5)']
/** Bars per chart: the largest rows of the page; the table lists the page's rows. */
const MAX_BARS = 15

export default function AgingPage() {
  const { t } = useI18n(messages)
  const [asOf, setAsOf] = useState('')
  const [direction, setDirection] = useState<Direction>('receivable')
  const [currency, setCurrency] = useState('')
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 25 })
  // Another view of the report starts again on its first page.
  const firstPage = <T,>(set: (v: T) => void) => (v: T) => {
    set(v)
    setPagination((p) => ({ ...p, pageIndex: 0 }))
  }
  const q = useAging({
    as_of: asOf || undefined,
    direction,
    currency: currency || undefined,
    limit: pagination.pageSize,
    offset: pagination.pageIndex * pagination.pageSize,
  })
  return (
    <>
      <Link to="/invoices" className="text-muted-foreground mb-2 inline-flex items-center gap-1 text-sm hover:underline">
        <ArrowLeft className="size-4" /> {t('nav.invoices')}
      </Link>
      <PageHeader title={t('nav.aging')} description={t('aging.description')} />
      <div className="mb-4 flex flex-wrap items-end gap-4">
        <Segmented label={t('invoices.direction')} value={direction} onChange={firstPage(setDirection)} options={DIRECTIONS.map((d) => ({ value: d, label: t(`invoiceDirection.${d}`) }))} />
        <div className="grid gap-1.5">
          <Label htmlFor="aging-as-of">{t('reports.asOf')}</Label>
          <DateField id="aging-as-of" className="w-44" value={asOf} onChange={firstPage(setAsOf)} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="aging-currency">{t('aging.reportCurrency')}</Label>
          <NativeSelect id="aging-currency" className="w-36" value={currency} onChange={(e) => firstPage(setCurrency)(e.target.value)}>
            <option value="">{t('aging.invoiceCurrencies')}</option>
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </NativeSelect>
        </div>
      </div>
      {q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.isPending ? <LoadingState /> : (
        <AgingBody report={q.data} pager={<Pagination pagination={pagination} total={q.data.total_rows} onChange={setPagination} />} />
      )}
    </>
  )
}

function AgingBody({ report, pager }: { report: AgingReport; pager: ReactNode }) {
  const { t } = useI18n(messages)
  if (report.total_rows === 0) return <EmptyState title={t('aging.empty')} />
  const converted = !!report.currency
  const pick = (r: Buckets & { converted?: Buckets | null }) => (converted && r.converted ? r.converted : r)
  const data = report.rows.slice(0, MAX_BARS).map((r) => ({
    name: `${r.counterparty_name ?? '—'}${converted ? '' : ` (${r.currency})`}`,
    ...Object.fromEntries(AGING_BUCKETS.map((b) => [b, Number(pick(r)[b])])),
  }))
  const cur = (r: { currency: string }) => (converted ? (report.currency ?? r.currency) : r.currency)
  return (
    <div className="grid gap-6">
      <figure aria-label={t('aging.chart')} className="h-80 rounded-md border p-2" data-testid="aging-chart">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 16, left: 8, bottom: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="name" tick={{ fontSize: 12 }} />
            <YAxis tick={{ fontSize: 12 }} />
            <Tooltip />
            <Legend />
            {AGING_BUCKETS.map((b, i) => (
              <Bar key={b} dataKey={b} stackId="a" name={t(`aging.bucket.${b}`)} fill={COLORS[i]} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <div className="rounded-md border">
        <Table aria-label={t('nav.aging')}>
          <TableHeader>
            <TableRow>
              <TableHead>{t('tx.counterparty')}</TableHead>
              <TableHead>{t('common.currency')}</TableHead>
              <TableHead className="text-right">{t('aging.invoices')}</TableHead>
              {AGING_BUCKETS.map((b) => (
                <TableHead key={b} className="text-right">
                  {t(`aging.bucket.${b}`)}
                </TableHead>
              ))}
              <TableHead className="text-right">{t('invoices.total')}</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {report.rows.map((r) => (
              <TableRow key={`${r.counterparty_id}-${r.currency}`} data-testid="aging-row">
                <TableCell className="font-medium">
                  <Link to={`/invoices?counterparty_id=${r.counterparty_id}&direction=${report.direction}`} className="hover:underline">
                    {r.counterparty_name ?? '—'}
                  </Link>
                </TableCell>
                <TableCell>{r.currency}</TableCell>
                <TableCell className="text-right tabular-nums">{r.invoices}</TableCell>
                {[...AGING_BUCKETS, 'total' as const].map((b) => (
                  <TableCell key={b} className="text-right">
                    <Money amount={pick(r)[b]} currency={cur(r)} />
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
          <TableFooter>
            {converted && report.converted_total ? (
              <TableRow>
                <TableCell colSpan={3}>{t('aging.totalIn', { currency: report.currency ?? '' })}</TableCell>
                {[...AGING_BUCKETS, 'total' as const].map((b) => (
                  <TableCell key={b} className="text-right">
                    <Money amount={report.converted_total?.[b]} currency={report.currency ?? ''} />
                  </TableCell>
                ))}
              </TableRow>
            ) : (
              report.totals.map((tot) => (
                <TableRow key={tot.currency}>
                  <TableCell colSpan={2}>{t('aging.totalIn', { currency: tot.currency })}</TableCell>
                  <TableCell className="text-right tabular-nums">{tot.invoices}</TableCell>
                  {[...AGING_BUCKETS, 'total' as const].map((b) => (
                    <TableCell key={b} className="text-right">
                      <Money amount={tot[b]} currency={tot.currency} />
                    </TableCell>
                  ))}
                </TableRow>
              ))
            )}
          </TableFooter>
        </Table>
      </div>
      {pager}
    </div>
  )
}
