import { zodResolver } from '@hookform/resolvers/zod'
import { useEffect } from 'react'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'

import { EntityDialog } from '@/components/entity-dialog'
import { EntityOptions } from '@/components/entity-options'
import { FormField } from '@/components/form-field'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { Textarea } from '@/components/ui/textarea'
import { useAllCounterparties } from '@/hooks/use-lookups'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'
import { type Program } from '@/lib/traffic/entities'
import { blankToNull } from '@/lib/utils'

import { useSaveTraffic } from '../api'
import { messages } from '../i18n'
import { programSchema, type ProgramFormValues } from '../schemas'

const defaults = (p?: Program | null): ProgramFormValues => ({
  name: p?.name ?? '',
  counterparty_id: p?.counterparty_id ?? '',
  currency: p?.currency ?? 'USD',
  website: p?.website ?? '',
  notes: p?.notes ?? '',
})

const FIELDS = ['name', 'counterparty_id', 'currency', 'website', 'notes'] as const

export function ProgramDialog({ open, onOpenChange, program }: { open: boolean; onOpenChange: (o: boolean) => void; program?: Program | null }) {
  const { t, te } = useI18n(messages)
  const save = useSaveTraffic('programs')
  const counterparties = useAllCounterparties()
  const form = useForm<ProgramFormValues>({ resolver: zodResolver(programSchema), defaultValues: defaults(program) })
  const { reset } = form
  useEffect(() => {
    if (open) reset(defaults(program))
  }, [open, program, reset])
  const { errors, isSubmitting } = form.formState
  // Affiliate programs first: they are who pays a program's payouts.
  const sorted = [...(counterparties.data ?? [])].sort((a, b) => Number(b.kind === 'affiliate_program') - Number(a.kind === 'affiliate_program'))

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await save.mutateAsync({
        id: program?.id,
        body: { name: v.name.trim(), counterparty_id: v.counterparty_id, currency: v.currency, website: blankToNull(v.website), notes: blankToNull(v.notes) },
      })
      toast.success(t('common.saved'))
      onOpenChange(false)
    } catch (e) {
      applyServerError(e, form.setError, FIELDS)
    }
  })

  return (
    <EntityDialog
      open={open}
      onOpenChange={onOpenChange}
      title={program ? t('programs.edit') : t('programs.new')}
      description={t('programs.dialogDescription')}
      onSubmit={onSubmit}
      isSubmitting={isSubmitting}
    >
      <FormField label={t('common.name')} error={te(errors.name?.message)}>
        <Input autoFocus {...form.register('name')} />
      </FormField>
      <div className="grid grid-cols-3 gap-3">
        <FormField label={t('programs.counterparty')} error={te(errors.counterparty_id?.message)} hint={t('programs.counterpartyHint')} className="col-span-2">
          <NativeSelect {...form.register('counterparty_id')}>
            <option value="">{t('traffic.choose')}</option>
            <EntityOptions items={sorted} current={program?.counterparty_id} label={(c) => `${c.name} · ${t(`counterpartyKind.${(c as (typeof sorted)[number]).kind}`)}`} />
          </NativeSelect>
        </FormField>
        <FormField label={t('common.currency')} error={te(errors.currency?.message)}>
          <NativeSelect {...form.register('currency')}>
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </NativeSelect>
        </FormField>
      </div>
      <FormField label={t('traffic.website')} error={te(errors.website?.message)}>
        <Input type="url" placeholder="https://" {...form.register('website')} />
      </FormField>
      <FormField label={t('traffic.notes')} error={te(errors.notes?.message)}>
        <Textarea rows={2} {...form.register('notes')} />
      </FormField>
    </EntityDialog>
  )
}
