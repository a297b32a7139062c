import type { ColumnDef, OnChangeFn, PaginationState } from '@tanstack/react-table'
import { useMemo, useState } from 'react'

import { DataTable } from '@/components/data-table'
import { useI18n } from '@/lib/i18n'

import { useImportErrors, type Import, type ImportError } from '../api'
import { messages } from '../i18n'

/** The invalid rows of an import: line, column, value and why (paged on the server). */
export function ImportErrorsTable({
  rows,
  total,
  pagination,
  onPaginationChange,
  isLoading,
  error,
  onRetry,
}: {
  rows: ImportError[] | undefined
  total: number
  pagination: PaginationState
  onPaginationChange: OnChangeFn<PaginationState>
  isLoading?: boolean
  error?: unknown
  onRetry?: () => void
}) {
  const { t, number } = useI18n(messages)
  const columns = useMemo<ColumnDef<ImportError, unknown>[]>(
    () => [
      { id: 'line', header: t('imports.line'), meta: { className: 'w-20 text-right' }, cell: ({ row }) => (row.original.line != null ? number(row.original.line) : '—') },
      { id: 'column', header: t('imports.column'), cell: ({ row }) => row.original.column ?? '—' },
      {
        id: 'value',
        header: t('imports.value'),
        cell: ({ row }) => <code className="bg-muted inline-block max-w-xs truncate rounded px-1 align-middle text-xs">{row.original.value ?? ''}</code>,
      },
      { id: 'reason', header: t('imports.reason'), cell: ({ row }) => row.original.reason },
    ],
    [t, number],
  )
  return (
    <div className="space-y-2" data-testid="import-errors">
      <h3 className="font-medium">{t('imports.rowErrors')}</h3>
      <DataTable
        columns={columns}
        data={rows}
        total={total}
        pagination={pagination}
        onPaginationChange={onPaginationChange}
        isLoading={isLoading}
        error={error}
        onRetry={onRetry}
        emptyTitle={t('imports.noRowErrors')}
      />
    </div>
  )
}

/** The row errors of one import, loaded page by page. */
export function ImportErrorsSection({ imp }: { imp: Import }) {
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 10 })
  const q = useImportErrors(imp.id, pagination, imp.rows_failed > 0, `${imp.state}-${imp.attempts}-${imp.rows_failed}`)
  return (
    <ImportErrorsTable
      rows={q.data?.items}
      total={q.data?.total ?? 0}
      pagination={pagination}
      onPaginationChange={setPagination}
      isLoading={q.isFetching}
      error={q.error}
      onRetry={() => void q.refetch()}
    />
  )
}
