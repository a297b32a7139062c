import type { ColumnDef, PaginationState } from '@tanstack/react-table'
import { Pencil, Plus } from 'lucide-react'
import { useMemo, useState } from 'react'
import { Link } from 'react-router'

import { DataTable } from '@/components/data-table'
import { PageHeader } from '@/components/page-header'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { useDebounced } from '@/hooks/use-debounced'
import { useSearchParam } from '@/hooks/use-search-param'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { FREQUENCIES, RECURRING_STATUSES, useRecurringList, type Recurring } from '../api'
import { RecurringDialog } from '../components/recurring-dialog'
import { RecurringStatusBadge, ScheduleText } from '../components/recurring-parts'
import { RunNowButton } from '../components/run-now-button'
import { messages } from '../i18n'

const SORTS = ['next_run', 'name', '-start', '-created_at'] as const

export default function RecurringListPage() {
  const { t, date } = useI18n(messages)
  const role = useRole()
  const writer = can.writeBooks(role)
  const admin = can.runRecurring(role)
  const [params, setParam] = useSearchParam()
  const status = params.get('status') ?? ''
  const frequency = params.get('frequency') ?? ''
  const sort = params.get('sort') ?? 'next_run'
  const [q, setQ] = useState(params.get('q') ?? '')
  const debouncedQ = useDebounced(q)
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 25 })
  const [dialog, setDialog] = useState<{ open: boolean; editing: Recurring | null }>({ open: false, editing: null })
  const query = useRecurringList({
    status: status || undefined,
    frequency: frequency || undefined,
    q: debouncedQ.trim() || undefined,
    sort,
    limit: pagination.pageSize,
    offset: pagination.pageIndex * pagination.pageSize,
  })
  const setFilter = (key: string, value: string) => {
    setParam(key, value)
    setPagination((p) => ({ ...p, pageIndex: 0 }))
  }

  const columns = useMemo<ColumnDef<Recurring, unknown>[]>(
    () => [
      {
        id: 'name',
        header: t('common.name'),
        cell: ({ row }) => (
          <Link to={`/recurring/${row.original.id}`} className="text-primary font-medium underline-offset-4 hover:underline" data-testid="recurring-link">
            {row.original.name}
          </Link>
        ),
      },
      { id: 'schedule', header: t('recurring.schedule'), cell: ({ row }) => <ScheduleText schedule={row.original.schedule} /> },
      { id: 'status', header: t('common.status'), cell: ({ row }) => <RecurringStatusBadge status={row.original.status} /> },
      {
        id: 'next',
        header: t('recurring.nextRun'),
        cell: ({ row }) => <span className="tabular-nums" data-testid="recurring-next">{row.original.next_runs[0] ? date(row.original.next_runs[0]) : '—'}</span>,
      },
      { id: 'period', header: t('recurring.period'), cell: ({ row }) => `${date(row.original.start)} – ${row.original.end ? date(row.original.end) : '∞'}` },
      {
        id: 'counts',
        header: () => <span className="block text-right">{t('recurring.postedFailed')}</span>,
        cell: ({ row }) => (
          <span className="block text-right tabular-nums">
            {row.original.posted}
            {row.original.failed > 0 && <span className="text-destructive"> / {row.original.failed}</span>}
          </span>
        ),
      },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('common.actions')}</span>,
        cell: ({ row }) =>
          writer && row.original.status !== 'ended' ? (
            <div className="flex justify-end">
              <Button variant="ghost" size="icon" onClick={() => setDialog({ open: true, editing: row.original })} aria-label={t('recurring.editNamed', { name: row.original.name })} title={t('common.edit')}>
                <Pencil />
              </Button>
            </div>
          ) : null,
      },
    ],
    [t, date, writer],
  )

  return (
    <>
      <PageHeader
        title={t('nav.recurring')}
        description={t('recurring.description')}
        actions={
          <>
            {admin && <RunNowButton />}
            {writer && (
              <Button onClick={() => setDialog({ open: true, editing: null })}>
                <Plus /> {t('recurring.new')}
              </Button>
            )}
          </>
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-2" role="search" aria-label={t('recurring.filters')}>
        <Input
          type="search"
          className="w-60"
          placeholder={t('common.search')}
          aria-label={t('common.search')}
          value={q}
          onChange={(e) => {
            setQ(e.target.value)
            setPagination((p) => ({ ...p, pageIndex: 0 }))
          }}
        />
        <NativeSelect className="w-40" aria-label={t('common.status')} value={status} onChange={(e) => setFilter('status', e.target.value)}>
          <option value="">{t('recurring.allStatuses')}</option>
          {RECURRING_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`recurringStatus.${s}`)}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect className="w-40" aria-label={t('recurring.frequency')} value={frequency} onChange={(e) => setFilter('frequency', e.target.value)}>
          <option value="">{t('recurring.allFrequencies')}</option>
          {FREQUENCIES.map((f) => (
            <option key={f} value={f}>
              {t(`frequency.${f}`)}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect className="w-48" aria-label={t('recurring.sort')} value={sort} onChange={(e) => setFilter('sort', e.target.value === 'next_run' ? '' : e.target.value)}>
          {SORTS.map((s) => (
            <option key={s} value={s}>
              {t(`recurring.sortBy.${s}`)}
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
        emptyTitle={t('recurring.empty')}
        getRowId={(r) => r.id}
        label={t('nav.recurring')}
        testId="recurring-table"
      />
      {writer && <RecurringDialog open={dialog.open} onOpenChange={(o) => setDialog((d) => ({ ...d, open: o }))} editing={dialog.editing} />}
    </>
  )
}
