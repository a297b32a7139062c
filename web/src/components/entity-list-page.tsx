import type { ColumnDef } from '@tanstack/react-table'
import { Plus } from 'lucide-react'
import type { ReactNode } from 'react'

import { DataTable } from '@/components/data-table'
import { ListToolbar } from '@/components/list-toolbar'
import { PageHeader } from '@/components/page-header'
import { Button } from '@/components/ui/button'
import type { ArchivableEntity } from '@/hooks/use-entity-list'
import type { useListState } from '@/hooks/use-list-state'

/**
 * Page shell of a reference-data list: header with a "new" button (writers only), search and
 * archived filter plus per-entity `filters`, the server-side table and the entity's dialog.
 */
export function EntityListPage<T extends ArchivableEntity>({
  title,
  description,
  newLabel,
  writer,
  onNew,
  list,
  filters,
  columns,
  query,
  rows,
  emptyTitle,
  dialog,
}: {
  title: string
  description: string
  newLabel: string
  writer: boolean
  onNew: () => void
  list: ReturnType<typeof useListState>
  filters?: ReactNode
  columns: ColumnDef<T, unknown>[]
  query: { data?: { items: T[]; total: number }; isFetching: boolean; error: unknown; refetch: () => Promise<unknown> }
  /** Rows to show instead of `query.data.items` (e.g. re-ordered). */
  rows?: T[]
  emptyTitle: string
  dialog: ReactNode
}) {
  return (
    <>
      <PageHeader
        title={title}
        description={description}
        actions={
          writer && (
            <Button onClick={onNew}>
              <Plus /> {newLabel}
            </Button>
          )
        }
      />
      <ListToolbar q={list.q} onQ={list.setQ} archived={list.archived} onArchived={list.setArchived}>
        {filters}
      </ListToolbar>
      <DataTable
        columns={columns}
        data={rows ?? query.data?.items}
        total={query.data?.total ?? 0}
        pagination={list.pagination}
        onPaginationChange={list.setPagination}
        sorting={list.sorting}
        onSortingChange={list.setSorting}
        isLoading={query.isFetching}
        error={query.error}
        onRetry={() => void query.refetch()}
        emptyTitle={emptyTitle}
        getRowId={(x) => x.id}
        rowClassName={(x) => (x.archived ? 'opacity-60' : undefined)}
      />
      {dialog}
    </>
  )
}
