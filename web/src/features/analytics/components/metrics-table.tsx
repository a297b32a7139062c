import type { ColumnDef, PaginationState, SortingState } from '@tanstack/react-table'
import { useMemo, useState } from 'react'

import { DataTable } from '@/components/data-table'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { TableCell, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'

import { useMetrics, type Figures, type MetricsQuery, type MetricsRow } from '../api'
import { messages } from '../i18n'
import { formatMetric, formatPeriod, METRIC_KEYS, metricsSort, SORTABLE_METRICS } from '../lib/metrics-format'

/**
 * The metrics of each period and group: counts, money, and ratios ("—" where undefined), with
 * the totals of every row in the footer. Paging and sorting (by period, a count or an amount)
 * happen on the server. Mount with a `key` per filter set, so a new query starts on page one.
 */
export function MetricsTable({ query, groupLabel }: { query: MetricsQuery; groupLabel: (row: MetricsRow, dim: string) => string }) {
  const { t, locale } = useI18n(messages)
  const [sorting, setSorting] = useState<SortingState>([])
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 50 })
  const q = useMetrics({ ...query, sort: metricsSort(sorting), limit: pagination.pageSize, offset: pagination.pageIndex * pagination.pageSize })
  const data = q.data
  const currency = data?.currency ?? query.currency ?? 'USD'
  const granularity = data?.granularity ?? query.granularity ?? 'day'
  const groupBy = useMemo(() => data?.group_by ?? [], [data?.group_by])

  const columns = useMemo<ColumnDef<MetricsRow, unknown>[]>(() => {
    const cols: ColumnDef<MetricsRow, unknown>[] = [
      {
        id: 'period',
        header: t('analytics.periodColumn'),
        cell: ({ row }) => <span className="whitespace-nowrap">{formatPeriod(row.original.period, granularity, locale, (d) => t('analytics.weekOf', { date: d }))}</span>,
      },
    ]
    for (const dim of groupBy) {
      cols.push({
        id: `group.${dim}`,
        header: t(`dimension.${dim}` as 'dimension.campaign'),
        enableSorting: false,
        cell: ({ row }) => <span className="block max-w-56 truncate font-medium">{groupLabel(row.original, dim)}</span>,
      })
    }
    for (const key of METRIC_KEYS) {
      cols.push({
        id: key,
        header: t(`metric.${key}`),
        enableSorting: SORTABLE_METRICS.has(key),
        sortDescFirst: true,
        meta: { className: 'text-right' },
        cell: ({ row }) => <span className="tabular-nums whitespace-nowrap">{formatMetric(key, row.original[key], currency, locale)}</span>,
      })
    }
    return cols
  }, [t, locale, currency, granularity, groupBy, groupLabel])

  return (
    <div className="space-y-3">
      <DataTable
        columns={columns}
        data={data?.rows}
        total={data?.total_rows ?? 0}
        pagination={pagination}
        onPaginationChange={setPagination}
        sorting={sorting}
        onSortingChange={setSorting}
        isLoading={q.isFetching}
        error={q.error}
        onRetry={() => void q.refetch()}
        emptyTitle={t('analytics.empty')}
        label={t('analytics.table')}
        testId="metrics-table"
        footer={data && <TotalsRow totals={data.totals} currency={currency} labelColumns={1 + groupBy.length} />}
      />
      {data && data.rates_used.length > 0 && (
        <Alert>
          <AlertDescription>{t('analytics.ratesUsed', { count: data.rates_used.length, currency: data.currency })}</AlertDescription>
        </Alert>
      )}
    </div>
  )
}

function TotalsRow({ totals, currency, labelColumns }: { totals: Figures; currency: string; labelColumns: number }) {
  const { t, locale } = useI18n(messages)
  return (
    <TableRow data-testid="metrics-totals">
      <TableCell colSpan={labelColumns}>{t('analytics.total')}</TableCell>
      {METRIC_KEYS.map((key) => (
        <TableCell key={key} className="text-right tabular-nums whitespace-nowrap" data-testid={`total-${key}`}>
          {formatMetric(key, totals[key], currency, locale)}
        </TableCell>
      ))}
    </TableRow>
  )
}
