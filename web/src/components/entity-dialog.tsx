import type { FormEventHandler, ReactNode } from 'react'

import { FormDialogFooter } from '@/components/form-dialog-footer'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { useI18n } from '@/lib/i18n'
import { cn } from '@/lib/utils'

/** The frame of a create/edit dialog: title, description, form and footer. */
export function EntityDialog({
  open,
  onOpenChange,
  title,
  description,
  onSubmit,
  isSubmitting,
  wide,
  submitLabel,
  children,
}: {
  open: boolean
  onOpenChange: (o: boolean) => void
  title: string
  description: string
  onSubmit: FormEventHandler<HTMLFormElement>
  isSubmitting: boolean
  wide?: boolean
  submitLabel?: string
  children: ReactNode
}) {
  const { t } = useI18n()
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} className={cn(wide && 'sm:max-w-2xl')}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          {children}
          <FormDialogFooter onCancel={() => onOpenChange(false)} isSubmitting={isSubmitting} submitLabel={submitLabel} />
        </form>
      </DialogContent>
    </Dialog>
  )
}
