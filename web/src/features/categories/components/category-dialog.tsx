import { zodResolver } from '@hookform/resolvers/zod'
import { useEffect, useMemo } from 'react'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'

import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { Textarea } from '@/components/ui/textarea'
import { categoryTree, useAllCategories } from '@/hooks/use-lookups'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { blankToNull } from '@/lib/utils'

import { useSaveCategory, type Category } from '../api'
import { messages } from '../i18n'
import { categorySchema, type CategoryFormValues } from '../schemas'

const defaults = (c?: Category | null): CategoryFormValues => ({
  name: c?.name ?? '',
  kind: c?.kind ?? 'expense',
  parent_id: c?.parent_id ?? '',
  description: c?.description ?? '',
})

/** Ids of `id` and all its descendants (not valid as its parent). */
function subtree(all: Category[], id: string): Set<string> {
  const out = new Set([id])
  let grew = true
  while (grew) {
    grew = false
    for (const c of all) {
      if (c.parent_id && out.has(c.parent_id) && !out.has(c.id)) {
        out.add(c.id)
        grew = true
      }
    }
  }
  return out
}

export function CategoryDialog({ open, onOpenChange, category }: { open: boolean; onOpenChange: (o: boolean) => void; category?: Category | null }) {
  const { t, te } = useI18n(messages)
  const save = useSaveCategory()
  const all = useAllCategories()
  const form = useForm<CategoryFormValues>({ resolver: zodResolver(categorySchema), defaultValues: defaults(category) })
  const { reset } = form
  useEffect(() => {
    if (open) reset(defaults(category))
  }, [open, category, reset])
  const { errors, isSubmitting } = form.formState
  // eslint-disable-next-line react-hooks/incompatible-library
  const kind = form.watch('kind')
  const parents = useMemo(() => {
    const items = all.data ?? []
    const excluded = category ? subtree(items, category.id) : new Set<string>()
    return categoryTree(items.filter((c) => c.kind === kind && !c.archived && !excluded.has(c.id)))
  }, [all.data, kind, category])

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await save.mutateAsync({
        id: category?.id,
        body: { name: v.name.trim(), kind: v.kind, parent_id: blankToNull(v.parent_id), description: blankToNull(v.description) },
      })
      toast.success(t('common.saved'))
      onOpenChange(false)
    } catch (e) {
      applyServerError(e, form.setError, ['name', 'kind', 'parent_id', 'description'])
    }
  })

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{category ? t('categories.edit') : t('categories.new')}</DialogTitle>
          <DialogDescription>{t('categories.dialogDescription')}</DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <FormField label={t('common.name')} error={te(errors.name?.message)}>
            <Input autoFocus {...form.register('name')} />
          </FormField>
          <div className="grid grid-cols-2 gap-3">
            <FormField label={t('categories.kind')} error={te(errors.kind?.message)}>
              <NativeSelect {...form.register('kind', { onChange: () => form.setValue('parent_id', '') })}>
                <option value="income">{t('categoryKind.income')}</option>
                <option value="expense">{t('categoryKind.expense')}</option>
              </NativeSelect>
            </FormField>
            <FormField label={t('categories.parent')} error={te(errors.parent_id?.message)}>
              <NativeSelect {...form.register('parent_id')}>
                <option value="">{t('categories.noParent')}</option>
                {parents.map(({ item, depth }) => (
                  <option key={item.id} value={item.id}>
                    {'\u00a0\u00a0'.repeat(depth)}
                    {item.name}
                  </option>
                ))}
              </NativeSelect>
            </FormField>
          </div>
          <FormField label={t('common.description')} error={te(errors.description?.message)}>
            <Textarea rows={2} {...form.register('description')} />
          </FormField>
          <FormDialogFooter onCancel={() => onOpenChange(false)} isSubmitting={isSubmitting} />
        </form>
      </DialogContent>
    </Dialog>
  )
}
