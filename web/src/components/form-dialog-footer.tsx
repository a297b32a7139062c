import { Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { DialogFooter } from '@/components/ui/dialog'
import { useI18n } from '@/lib/i18n'

/** Cancel and save buttons of a form dialog. */
export function FormDialogFooter({ onCancel, isSubmitting, submitLabel }: { onCancel: () => void; isSubmitting: boolean; submitLabel?: string }) {
  const { t } = useI18n()
  return (
    <DialogFooter>
      <Button type="button" variant="outline" onClick={onCancel}>
        {t('common.cancel')}
      </Button>
      <Button type="submit" disabled={isSubmitting}>
        {isSubmitting && <Spinner />}
        {submitLabel ?? t('common.save')}
      </Button>
    </DialogFooter>
  )
}
