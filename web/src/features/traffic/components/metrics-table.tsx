import {
  flexRender,
  getCoreRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type PaginationState,
  type SortingFn,
  type SortingState,
} from '@tanstack/react-table'
import Decimal from 'decimal.js'
import { ArrowDown, ArrowUp, ArrowUpDown, ChevronLeft, ChevronRight } from 'lucide-react'
import { useMemo, useState } from 'react'

import { EmptyState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'
import { cn } from '@/lib/utils'

import type { Figures, Metrics, MetricsRow } from '../api/metrics'
import { formatMetric, formatPeriod, METRIC_KEYS, type MetricKey } from '../lib/metrics-format'

/** Sorts decimal strings and numbers exactly; undefined ratios (null) always last. */
const byFigure: SortingFn<MetricsRow> = (a, b, id) => {
  const x = a.getValue<string | number | null>(id)
  const y = b.getValue<string | number | null>(id)
  if (x == null || y == null) return x == null && y == null ? 0 : x == null ? 1 : -1
  return new Decimal(x).comparedTo(new Decimal(y))
}

/**
 * The metrics of each period and group: counts, money, and ratios ("—" where undefined), with
 * the totals of everything in the footer. Sorting and paging happen in the browser.
 */
export function MetricsTable({ data, groupLabel }: { data: Metrics; groupLabel: (row: MetricsRow, dim: string) => string }) {
  const { t, locale } = useI18n()
  const [sorting, setSorting] = useState<SortingState>([])
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 50 })
  const currency = data.currency
  const showPeriod = data.rows.some((r) => r.period)

  const columns = useMemo<ColumnDef<MetricsRow, unknown>[]>(() => {
    const cols: ColumnDef<MetricsRow, unknown>[] = []
    if (showPeriod) {
      cols.push({
        id: 'period',
        accessorFn: (r) => r.period ?? '',
        header: t('analytics.periodColumn'),
        cell: ({ row }) => <span className="whitespace-nowrap">{formatPeriod(row.original.period, data.granularity, locale, (d) => t('analytics.weekOf', { date: d }))}</span>,
      })
    }
    for (const dim of data.group_by) {
      cols.push({
        id: `group.${dim}`,
        accessorFn: (r) => groupLabel(r, dim),
        header: t(`dimension.${dim}` as 'dimension.campaign'),
        cell: ({ getValue }) => <span className="block max-w-56 truncate font-medium">{getValue<string>()}</span>,
      })
    }
    for (const key of METRIC_KEYS) {
      cols.push({
        id: key,
        accessorFn: (r) => r[key] ?? null,
        header: t(`metric.${key}`),
        sortingFn: byFigure,
        sortDescFirst: true,
        meta: { className: 'text-right' },
        cell: ({ row }) => <span className="tabular-nums whitespace-nowrap">{formatMetric(key, row.original[key], currency, locale)}</span>,
      })
    }
    return cols
  }, [t, locale, currency, data.granularity, data.group_by, groupLabel, showPeriod])

  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: data.rows,
    columns,
    state: { sorting, pagination },
    onSortingChange: setSorting,
    onPaginationChange: setPagination,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
  })

  if (data.rows.length === 0) return <EmptyState title={t('analytics.empty')} />
  const labelColumns = (showPeriod ? 1 : 0) + data.group_by.length

  return (
    <div className="space-y-3">
      <div className="rounded-md border">
        <Table aria-label={t('analytics.table')} data-testid="metrics-table">
          <TableHeader>
            {table.getHeaderGroups().map((hg) => (
              <TableRow key={hg.id}>
                {hg.headers.map((h) => {
                  const dir = h.column.getIsSorted()
                  const right = (h.column.columnDef.meta as { className?: string } | undefined)?.className
                  return (
                    <TableHead key={h.id} className={cn(right)} aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}>
                      <button type="button" className="hover:text-foreground inline-flex items-center gap-1 whitespace-nowrap" onClick={h.column.getToggleSortingHandler()}>
                        {flexRender(h.column.columnDef.header, h.getContext())}
                        {dir === 'asc' ? <ArrowUp className="size-3" /> : dir === 'desc' ? <ArrowDown className="size-3" /> : <ArrowUpDown className="size-3 opacity-40" />}
                      </button>
                    </TableHead>
                  )
                })}
              </TableRow>
            ))}
          </TableHeader>
          <TableBody>
            {table.getRowModel().rows.map((row) => (
              <TableRow key={row.id} data-testid="metrics-row">
                {row.getVisibleCells().map((cell) => (
                  <TableCell key={cell.id} className={cn((cell.column.columnDef.meta as { className?: string } | undefined)?.className)}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
          <TableFooter>
            <TotalsRow totals={data.totals} currency={currency} labelColumns={labelColumns} />
          </TableFooter>
        </Table>
      </div>
      {table.getPageCount() > 1 && (
        <div className="flex items-center justify-end gap-2 text-sm">
          <Button variant="outline" size="icon" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()} aria-label={t('table.previous')}>
            <ChevronLeft />
          </Button>
          <span className="tabular-nums">{t('table.page', { page: pagination.pageIndex + 1, pages: table.getPageCount() })}</span>
          <Button variant="outline" size="icon" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()} aria-label={t('table.next')}>
            <ChevronRight />
          </Button>
        </div>
      )}
    </div>
  )
}

function TotalsRow({ totals, currency, labelColumns }: { totals: Figures; currency: string; labelColumns: number }) {
  const { t, locale } = useI18n()
  return (
    <TableRow data-testid="metrics-totals">
      {labelColumns > 0 && <TableCell colSpan={labelColumns}>{t('analytics.total')}</TableCell>}
      {METRIC_KEYS.map((key: MetricKey) => (
        <TableCell key={key} className="text-right tabular-nums whitespace-nowrap" data-testid={`total-${key}`}>
          {formatMetric(key, totals[key], currency, locale)}
        </TableCell>
      ))}
    </TableRow>
  )
}
