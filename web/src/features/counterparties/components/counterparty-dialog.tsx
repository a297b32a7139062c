import { zodResolver } from '@hookform/resolvers/zod'
import { Plus, Trash2 } from 'lucide-react'
import { useEffect } from 'react'
import { useFieldArray, useForm } from 'react-hook-form'
import toast from 'react-hot-toast'

import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { Textarea } from '@/components/ui/textarea'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { blankToNull } from '@/lib/utils'

import { COUNTERPARTY_KINDS, useSaveCounterparty, type Counterparty } from '../api'
import { messages } from '../i18n'
import { counterpartySchema, type CounterpartyFormValues } from '../schemas'

const defaults = (c?: Counterparty | null): CounterpartyFormValues => ({
  name: c?.name ?? '',
  kind: c?.kind ?? 'customer',
  email: c?.email ?? '',
  phone: c?.phone ?? '',
  website: c?.website ?? '',
  tax_id: c?.tax_id ?? '',
  notes: c?.notes ?? '',
  contacts: (c?.contacts ?? []).map((x) => ({ name: x.name, email: x.email ?? '', phone: x.phone ?? '', role: x.role ?? '' })),
})

const FIELDS = ['name', 'kind', 'email', 'phone', 'website', 'tax_id', 'notes', 'contacts'] as const

export function CounterpartyDialog({ open, onOpenChange, counterparty }: { open: boolean; onOpenChange: (o: boolean) => void; counterparty?: Counterparty | null }) {
  const { t, te } = useI18n(messages)
  const save = useSaveCounterparty()
  const form = useForm<CounterpartyFormValues>({ resolver: zodResolver(counterpartySchema), defaultValues: defaults(counterparty) })
  const { reset } = form
  useEffect(() => {
    if (open) reset(defaults(counterparty))
  }, [open, counterparty, reset])
  const contacts = useFieldArray({ control: form.control, name: 'contacts' })
  const { errors, isSubmitting } = form.formState

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await save.mutateAsync({
        id: counterparty?.id,
        body: {
          name: v.name.trim(),
          kind: v.kind,
          email: blankToNull(v.email),
          phone: blankToNull(v.phone),
          website: blankToNull(v.website),
          tax_id: blankToNull(v.tax_id),
          notes: blankToNull(v.notes),
          contacts: v.contacts.map((c) => ({ name: c.name.trim(), email: blankToNull(c.email), phone: blankToNull(c.phone), role: blankToNull(c.role) })),
        },
      })
      toast.success(t('common.saved'))
      onOpenChange(false)
    } catch (e) {
      applyServerError(e, form.setError, FIELDS, (f) => f.replace(/\[(\d+)\]/g, '.$1'))
    }
  })

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>{counterparty ? t('counterparties.edit') : t('counterparties.new')}</DialogTitle>
          <DialogDescription>{t('counterparties.dialogDescription')}</DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <div className="grid grid-cols-3 gap-3">
            <FormField label={t('common.name')} error={te(errors.name?.message)} className="col-span-2">
              <Input autoFocus {...form.register('name')} />
            </FormField>
            <FormField label={t('counterparties.kind')} error={te(errors.kind?.message)}>
              <NativeSelect {...form.register('kind')}>
                {COUNTERPARTY_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`counterpartyKind.${k}`)}
                  </option>
                ))}
              </NativeSelect>
            </FormField>
          </div>
          <div className="grid grid-cols-2 gap-3">
            <FormField label={t('common.email')} error={te(errors.email?.message)}>
              <Input type="email" {...form.register('email')} />
            </FormField>
            <FormField label={t('common.phone')} error={te(errors.phone?.message)}>
              <Input type="tel" {...form.register('phone')} />
            </FormField>
            <FormField label={t('counterparties.website')} error={te(errors.website?.message)}>
              <Input type="url" placeholder="https://" {...form.register('website')} />
            </FormField>
            <FormField label={t('counterparties.taxId')} error={te(errors.tax_id?.message)}>
              <Input {...form.register('tax_id')} />
            </FormField>
          </div>
          <fieldset className="grid gap-2 rounded-md border p-3">
            <legend className="px-1 text-sm font-medium">{t('counterparties.contacts')}</legend>
            {contacts.fields.map((f, i) => (
              <div key={f.id} className="grid grid-cols-[1fr_1fr_1fr_1fr_auto] items-end gap-2">
                <FormField label={t('common.name')} error={te(errors.contacts?.[i]?.name?.message)}>
                  <Input {...form.register(`contacts.${i}.name`)} />
                </FormField>
                <FormField label={t('counterparties.contactRole')} error={te(errors.contacts?.[i]?.role?.message)}>
                  <Input {...form.register(`contacts.${i}.role`)} />
                </FormField>
                <FormField label={t('common.email')} error={te(errors.contacts?.[i]?.email?.message)}>
                  <Input type="email" {...form.register(`contacts.${i}.email`)} />
                </FormField>
                <FormField label={t('common.phone')} error={te(errors.contacts?.[i]?.phone?.message)}>
                  <Input type="tel" {...form.register(`contacts.${i}.phone`)} />
                </FormField>
                <Button type="button" variant="ghost" size="icon" onClick={() => contacts.remove(i)} aria-label={t('counterparties.removeContact')}>
                  <Trash2 />
                </Button>
              </div>
            ))}
            <Button type="button" variant="outline" size="sm" className="justify-self-start" onClick={() => contacts.append({ name: '', email: '', phone: '', role: '' })}>
              <Plus /> {t('counterparties.addContact')}
            </Button>
          </fieldset>
          <FormField label={t('counterparties.notes')} error={te(errors.notes?.message)}>
            <Textarea rows={2} {...form.register('notes')} />
          </FormField>
          <FormDialogFooter onCancel={() => onOpenChange(false)} isSubmitting={isSubmitting} />
        </form>
      </DialogContent>
    </Dialog>
  )
}
