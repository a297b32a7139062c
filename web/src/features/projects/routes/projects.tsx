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
import { useListState } from '@/hooks/use-list-state'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { useArchiveProject, useProjects, type Project } from '../api'
import { ProjectDialog } from '../components/project-dialog'

export default function ProjectsPage() {
  const { t, date } = useI18n()
  const writer = can.writeBooks(useRole())
  const list = useListState()
  const [editing, setEditing] = useState<Project | null>(null)
  const [dialogOpen, setDialogOpen] = useState(false)
  const archive = useArchiveProject()
  const query = useProjects({ ...list.params, sort: sortParam(list.sorting) })

  const columns = useMemo<ColumnDef<Project, unknown>[]>(
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
      { id: 'code', header: t('common.code'), enableSorting: false, cell: ({ row }) => row.original.code ?? '' },
      {
        id: 'description',
        header: t('common.description'),
        enableSorting: false,
        cell: ({ row }) => <span className="text-muted-foreground block max-w-md truncate">{row.original.description}</span>,
      },
      { id: 'updated_at', header: t('common.updated'), cell: ({ row }) => date(row.original.updated_at.slice(0, 10)) },
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
            } satisfies ColumnDef<Project, unknown>,
          ]
        : []),
    ],
    [t, date, writer, archive],
  )

  return (
    <>
      <PageHeader
        title={t('nav.projects')}
        description={t('projects.description')}
        actions={
          writer && (
            <Button
              onClick={() => {
                setEditing(null)
                setDialogOpen(true)
              }}
            >
              <Plus /> {t('projects.new')}
            </Button>
          )
        }
      />
      <ListToolbar q={list.q} onQ={list.setQ} archived={list.archived} onArchived={list.setArchived} />
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
        emptyTitle={t('projects.empty')}
        getRowId={(p) => p.id}
        rowClassName={(p) => (p.archived ? 'opacity-60' : undefined)}
      />
      <ProjectDialog open={dialogOpen} onOpenChange={setDialogOpen} project={editing} />
    </>
  )
}
