import type { ColumnDef } from '@tanstack/react-table'
import { useState } from 'react'
import toast from 'react-hot-toast'

import { RowActions } from '@/components/row-actions'
import { useListState } from '@/hooks/use-list-state'
import { useI18n } from '@/lib/i18n'

/** A reference-data entity that can be listed, edited and archived. */
export interface ArchivableEntity {
  id: string
  name: string
  archived: boolean
}

/** The archive/restore mutation of an entity list. */
export interface ArchiveMutation {
  mutate: (vars: { id: string; archive: boolean }, options?: { onSuccess?: () => void }) => void
  isPending: boolean
}

/**
 * State shared by the reference-data list screens: server-side list state, the edit dialog
 * (`editing` null means "new") and, for writers, the trailing edit/archive/restore column.
 */
export function useEntityList<T extends ArchivableEntity>({ archive, writer }: { archive: ArchiveMutation; writer: boolean }) {
  const { t } = useI18n()
  const list = useListState()
  const [editing, setEditing] = useState<T | null>(null)
  const [dialogOpen, setDialogOpen] = useState(false)
  const openDialog = (entity: T | null) => {
    setEditing(entity)
    setDialogOpen(true)
  }

  const actionColumns: ColumnDef<T, unknown>[] = writer
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
              onEdit={() => openDialog(row.original)}
              onArchive={() => archive.mutate({ id: row.original.id, archive: true }, { onSuccess: () => toast.success(t('common.archivedDone')) })}
              onRestore={() => archive.mutate({ id: row.original.id, archive: false }, { onSuccess: () => toast.success(t('common.restoredDone')) })}
            />
          ),
        },
      ]
    : []

  return {
    list,
    editing,
    dialogOpen,
    setDialogOpen,
    openNew: () => openDialog(null),
    actionColumns,
  }
}
