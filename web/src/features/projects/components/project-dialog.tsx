import { zodResolver } from '@hookform/resolvers/zod'
import { useEffect } from 'react'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'

import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Textarea } from '@/components/ui/textarea'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { blankToNull } from '@/lib/utils'

import { useSaveProject, type Project } from '../api'
import { messages } from '../i18n'
import { projectSchema, type ProjectFormValues } from '../schemas'

const defaults = (p?: Project | null): ProjectFormValues => ({ name: p?.name ?? '', code: p?.code ?? '', description: p?.description ?? '' })

export function ProjectDialog({ open, onOpenChange, project }: { open: boolean; onOpenChange: (o: boolean) => void; project?: Project | null }) {
  const { t, te } = useI18n(messages)
  const save = useSaveProject()
  const form = useForm<ProjectFormValues>({ resolver: zodResolver(projectSchema), defaultValues: defaults(project) })
  const { reset } = form
  useEffect(() => {
    if (open) reset(defaults(project))
  }, [open, project, reset])
  const { errors, isSubmitting } = form.formState

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await save.mutateAsync({ id: project?.id, body: { name: v.name.trim(), code: blankToNull(v.code), description: blankToNull(v.description) } })
      toast.success(t('common.saved'))
      onOpenChange(false)
    } catch (e) {
      applyServerError(e, form.setError, ['name', 'code', 'description'])
    }
  })

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{project ? t('projects.edit') : t('projects.new')}</DialogTitle>
          <DialogDescription>{t('projects.dialogDescription')}</DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <FormField label={t('common.name')} error={te(errors.name?.message)}>
            <Input autoFocus {...form.register('name')} />
          </FormField>
          <FormField label={t('common.code')} error={te(errors.code?.message)}>
            <Input {...form.register('code')} />
          </FormField>
          <FormField label={t('common.description')} error={te(errors.description?.message)}>
            <Textarea rows={3} {...form.register('description')} />
          </FormField>
          <FormDialogFooter onCancel={() => onOpenChange(false)} isSubmitting={isSubmitting} />
        </form>
      </DialogContent>
    </Dialog>
  )
}
