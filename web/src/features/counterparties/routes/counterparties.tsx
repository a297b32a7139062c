import type { ColumnDef } from '@tanstack/react-table'
import { Plus } from 'lucide-react'
import { useMemo, useState } from 'react'
import toast from 'react-hot-toast'

import { DataTable, sortParam } from '@/components/data-table'
import { ListToolbar } from '@/components/list-toolbar'
import { PageHeader } from '@/components/page-header'
import { RowActions } from '@/components/row-actions'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { NativeSelect } from '@/components/ui/native-select'
import { useListState } from '@/hooks/use-list-state'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { COUNTERPARTY_KINDS, useArchiveCounterparty, useCounterparties, type Counterparty, type CounterpartyKind } from '../api'
import { CounterpartyDialog } from '../components/counterparty-dialog'

export default function CounterpartiesPage() {
  const { t } = useI18n()
  const writer = can.writeBooks(useRole())
  const list = useListState()
  const [kind, setKind] = useState<CounterpartyKind | ''>('')
  const [editing, setEditing] = useState<Counterparty | null>(null)
  const [dialogOpen, setDialogOpen] = useState(false)
  const archive = useArchiveCounterparty()
  const query = useCounterparties({ ...list.params, sort: sortParam(list.sorting), kind: kind || undefined })

  const columns = useMemo<ColumnDef<Counterparty, unknown>[]>(
    () => [
      {
        id: 'name',
        header: t('common.name'),
        cell: ({ row }) => (
          <div className="flex items-center gap-2">
            <span className="font-medium">{row.original.name}</span>
            {row.original.archived && <Badge variant="outline">{t('common.archived')}</Badge>}
          </div>
        ),
      },
      { id: 'kind', header: t('counterparties.kind'), enableSorting: false, cell: ({ row }) => t(`counterpartyKind.${row.original.kind}`) },
      { id: 'email', header: t('common.email'), enableSorting: false, cell: ({ row }) => row.original.email ?? '' },
      { id: 'phone', header: t('common.phone'), enableSorting: false, cell: ({ row }) => row.original.phone ?? '' },
      { id: 'contacts', header: t('counterparties.contacts'), enableSorting: false, cell: ({ row }) => (row.original.contacts ?? []).map((c) => c.name).join(', ') },
      ...(writer
        ? [
            {
              id: 'actions',
              header: () => <span className="sr-only">{t('common.actions')}</span>,
              enableSorting: false,
              cell: ({ row }) => (
                <RowActions
                  name={row.original.name}
                  archived={row.original.archived}
                  busy={archive.isPending}
                  onEdit={() => {
                    setEditing(row.original)
                    setDialogOpen(true)
                  }}
                  onArchive={() => archive.mutate({ id: row.original.id, archive: true }, { onSuccess: () => toast.success(t('common.archivedDone')) })}
                  onRestore={() => archive.mutate({ id: row.original.id, archive: false }, { onSuccess: () => toast.success(t('common.restoredDone')) })}
                />
              ),
            } satisfies ColumnDef<Counterparty, unknown>,
          ]
        : []),
    ],
    [t, writer, archive],
  )

  return (
    <>
      <PageHeader
        title={t('nav.counterparties')}
        description={t('counterparties.description')}
        actions={
          writer && (
            <Button
              onClick={() => {
                setEditing(null)
                setDialogOpen(true)
              }}
            >
              <Plus /> {t('counterparties.new')}
            </Button>
          )
        }
      />
      <ListToolbar q={list.q} onQ={list.setQ} archived={list.archived} onArchived={list.setArchived}>
        <NativeSelect className="w-48" value={kind} aria-label={t('counterparties.kind')} onChange={(e) => { setKind(e.target.value as CounterpartyKind | ''); list.resetPage() }}>
          <option value="">{t('counterparties.allKinds')}</option>
          {COUNTERPARTY_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`counterpartyKind.${k}`)}
            </option>
          ))}
        </NativeSelect>
      </ListToolbar>
      <DataTable
        columns={columns}
        data={query.data?.items}
        total={query.data?.total ?? 0}
        pagination={list.pagination}
        onPaginationChange={list.setPagination}
        sorting={list.sorting}
        onSortingChange={list.setSorting}
        isLoading={query.isFetching}
        error={query.error}
        onRetry={() => void query.refetch()}
        emptyTitle={t('counterparties.empty')}
        getRowId={(c) => c.id}
        rowClassName={(c) => (c.archived ? 'opacity-60' : undefined)}
      />
      <CounterpartyDialog open={dialogOpen} onOpenChange={setDialogOpen} counterparty={editing} />
    </>
  )
}
