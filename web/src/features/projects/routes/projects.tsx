import type { ColumnDef } from '@tanstack/react-table'
import { useMemo } from 'react'

import { sortParam } from '@/components/data-table'
import { EntityListPage } from '@/components/entity-list-page'
import { Badge } from '@/components/ui/badge'
import { useEntityList } from '@/hooks/use-entity-list'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { useArchiveProject, useProjects, type Project } from '../api'
import { ProjectDialog } from '../components/project-dialog'
import { messages } from '../i18n'

export default function ProjectsPage() {
  const { t, date } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const { list, editing, dialogOpen, setDialogOpen, openNew, actionColumns } = useEntityList<Project>({ archive: useArchiveProject(), writer })
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
      ...actionColumns,
    ],
    [t, date, actionColumns],
  )

  return (
    <EntityListPage
      title={t('nav.projects')}
      description={t('projects.description')}
      newLabel={t('projects.new')}
      writer={writer}
      onNew={openNew}
      list={list}
      columns={columns}
      query={query}
      emptyTitle={t('projects.empty')}
      dialog={<ProjectDialog open={dialogOpen} onOpenChange={setDialogOpen} project={editing} />}
    />
  )
}
