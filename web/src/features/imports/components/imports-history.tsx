import type { ColumnDef, PaginationState } from '@tanstack/react-table'
import { useMemo, useState } from 'react'

import { DataTable } from '@/components/data-table'
import { EntityOptions } from '@/components/entity-options'
import { FilterSelect } from '@/components/filter-select'
import { useI18n } from '@/lib/i18n'
import type { TrafficSource } from '@/lib/traffic/entities'

import { IMPORT_STATES, useImports, type Import } from '../api'
import { messages } from '../i18n'
import { labelOf } from '../lib/labels'
import { ImportStateBadge } from './import-state-badge'

/** Every import, newest first, filterable by state and source; a row opens its import. */
export function ImportsHistory({ sources, onOpen, openId }: { sources: TrafficSource[] | undefined; onOpen: (id: string) => void; openId: string | null }) {
  const { t, number, date, dateTime } = useI18n(messages)
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 10 })
  const [state, setState] = useState('')
  const [source, setSource] = useState('')
  const q = useImports(
    { limit: pagination.pageSize, offset: pagination.pageIndex * pagination.pageSize, state: state || undefined, source_id: source || undefined },
    true,
  )
  const names = useMemo(() => new Map((sources ?? []).map((s) => [s.id, s.name])), [sources])

  const columns = useMemo<ColumnDef<Import, unknown>[]>(
    () => [
      { id: 'created_at', header: t('imports.uploaded'), cell: ({ row }) => <span className="whitespace-nowrap">{dateTime(row.original.created_at)}</span> },
      {
        id: 'file',
        header: t('imports.file'),
        cell: ({ row }) => (
          <button type="button" className="text-primary max-w-56 truncate text-left underline-offset-4 hover:underline" onClick={() => onOpen(row.original.id)}>
            {row.original.file_name}
          </button>
        ),
      },
      { id: 'source', header: t('imports.source'), cell: ({ row }) => (row.original.source_id ? (names.get(row.original.source_id) ?? '') : '—') },
      { id: 'format', header: t('imports.format'), cell: ({ row }) => labelOf(t, 'importFormat', row.original.detected_format ?? row.original.format) },
      { id: 'state', header: t('common.status'), cell: ({ row }) => <ImportStateBadge state={row.original.state} /> },
      {
        id: 'rows',
        header: t('imports.rows'),
        meta: { className: 'text-right' },
        cell: ({ row }) => (
          <span className="tabular-nums whitespace-nowrap">
            {number(row.original.rows_ok)}
            {row.original.rows_failed > 0 && <span className="text-destructive"> / {number(row.original.rows_failed)} ✗</span>}
          </span>
        ),
      },
      {
        id: 'dates',
        header: t('imports.dates'),
        cell: ({ row }) => (row.original.date_from ? <span className="whitespace-nowrap">{`${date(row.original.date_from)} – ${date(row.original.date_to)}`}</span> : '—'),
      },
    ],
    [t, number, date, dateTime, names, onOpen],
  )

  return (
    <section aria-label={t('imports.history')} className="grid gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">{t('imports.history')}</h2>
        <div className="flex flex-wrap gap-2">
          <FilterSelect
            label={t('imports.stateFilter')}
            allLabel={t('imports.allStates')}
            value={state}
            onChange={(v) => {
              setState(v)
              setPagination((p) => ({ ...p, pageIndex: 0 }))
            }}
            className="w-40"
          >
            {IMPORT_STATES.map((s) => (
              <option key={s} value={s}>
                {labelOf(t, 'importState', s)}
              </option>
            ))}
          </FilterSelect>
          <FilterSelect
            label={t('imports.source')}
            allLabel={t('traffic.allSources')}
            value={source}
            onChange={(v) => {
              setSource(v)
              setPagination((p) => ({ ...p, pageIndex: 0 }))
            }}
          >
            <EntityOptions items={sources} />
          </FilterSelect>
        </div>
      </div>
      <DataTable
        columns={columns}
        data={q.data?.items}
        total={q.data?.total ?? 0}
        pagination={pagination}
        onPaginationChange={setPagination}
        isLoading={q.isFetching && !q.data}
        error={q.error}
        onRetry={() => void q.refetch()}
        emptyTitle={t('imports.empty')}
        getRowId={(x) => x.id}
        rowClassName={(x) => (x.id === openId ? 'bg-muted/60' : undefined)}
      />
    </section>
  )
}
