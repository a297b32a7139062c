import { Archive, ArchiveRestore, Pencil } from 'lucide-react'

import { Button } from '@/components/ui/button'
import { useI18n } from '@/lib/i18n'

/** Edit and archive/restore buttons of an entity row. */
export function RowActions({
  name,
  archived,
  onEdit,
  onArchive,
  onRestore,
  busy,
}: {
  name: string
  archived: boolean
  onEdit: () => void
  onArchive: () => void
  onRestore: () => void
  busy?: boolean
}) {
  const { t } = useI18n()
  return (
    <div className="flex justify-end gap-1">
      <Button variant="ghost" size="icon" onClick={onEdit} aria-label={t('common.editNamed', { name })} title={t('common.edit')}>
        <Pencil />
      </Button>
      {archived ? (
        <Button variant="ghost" size="icon" onClick={onRestore} disabled={busy} aria-label={t('common.restoreNamed', { name })} title={t('common.restore')}>
          <ArchiveRestore />
        </Button>
      ) : (
        <Button variant="ghost" size="icon" onClick={onArchive} disabled={busy} aria-label={t('common.archiveNamed', { name })} title={t('common.archive')}>
          <Archive />
        </Button>
      )}
    </div>
  )
}
