import { zodResolver } from '@hookform/resolvers/zod'
import { useEffect } from 'react'
import { Controller, useForm, useWatch } from 'react-hook-form'
import toast from 'react-hot-toast'

import { EntityDialog } from '@/components/entity-dialog'
import { EntityOptions } from '@/components/entity-options'
import { FormField } from '@/components/form-field'
import { TagInput } from '@/components/tag-input'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { Textarea } from '@/components/ui/textarea'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES, normalizeAmountInput } from '@/lib/money'
import { useAllTraffic, type Offer } from '@/lib/traffic/entities'
import { blankToNull } from '@/lib/utils'

import { PAYOUT_MODELS, useSaveTraffic } from '../api'
import { messages } from '../i18n'
import { COUNTRY_CODE, offerSchema, type OfferFormValues } from '../schemas'

const defaults = (o?: Offer | null): OfferFormValues => ({
  name: o?.name ?? '',
  program_id: o?.program_id ?? '',
  payout_model: o?.payout_model ?? 'cpa',
  payout: o?.payout ?? '',
  currency: o?.currency ?? 'USD',
  countries: o?.countries ?? [],
  url: o?.url ?? '',
  notes: o?.notes ?? '',
})

const FIELDS = ['name', 'program_id', 'payout_model', 'payout', 'currency', 'countries', 'url', 'notes'] as const

export function OfferDialog({ open, onOpenChange, offer }: { open: boolean; onOpenChange: (o: boolean) => void; offer?: Offer | null }) {
  const { t, te } = useI18n(messages)
  const save = useSaveTraffic('offers')
  const programs = useAllTraffic('programs')
  const form = useForm<OfferFormValues>({ resolver: zodResolver(offerSchema), defaultValues: defaults(offer) })
  const { reset, setValue } = form
  useEffect(() => {
    if (open) reset(defaults(offer))
  }, [open, offer, reset])
  const { errors, isSubmitting } = form.formState
  const model = useWatch({ control: form.control, name: 'payout_model' })

  const programField = form.register('program_id')
  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await save.mutateAsync({
        id: offer?.id,
        body: {
          name: v.name.trim(),
          program_id: v.program_id,
          payout_model: v.payout_model,
          payout: normalizeAmountInput(v.payout),
          currency: v.currency,
          countries: v.countries,
          url: blankToNull(v.url),
          notes: blankToNull(v.notes),
        },
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
      title={offer ? t('offers.edit') : t('offers.new')}
      description={t('offers.dialogDescription')}
      onSubmit={onSubmit}
      isSubmitting={isSubmitting}
      wide
    >
      <div className="grid grid-cols-2 gap-3">
        <FormField label={t('common.name')} error={te(errors.name?.message)}>
          <Input autoFocus {...form.register('name')} />
        </FormField>
        <FormField label={t('offers.program')} error={te(errors.program_id?.message)}>
          <NativeSelect
            {...programField}
            onChange={(e) => {
              void programField.onChange(e)
              // A new offer pays in its program's currency unless told otherwise.
              const p = programs.data?.find((x) => x.id === e.target.value)
              if (p && !offer) setValue('currency', p.currency)
            }}
          >
            <option value="">{t('traffic.choose')}</option>
            <EntityOptions items={programs.data} current={offer?.program_id} />
          </NativeSelect>
        </FormField>
      </div>
      <div className="grid grid-cols-3 gap-3">
        <FormField label={t('offers.payoutModel')} error={te(errors.payout_model?.message)}>
          <NativeSelect {...form.register('payout_model')}>
            {PAYOUT_MODELS.map((m) => (
              <option key={m} value={m}>
                {t(`payoutModel.${m}`)}
              </option>
            ))}
          </NativeSelect>
        </FormField>
        <FormField label={model === 'rev_share' ? t('offers.payoutPercent') : t('offers.payout')} error={te(errors.payout?.message)}>
          <Input inputMode="decimal" autoComplete="off" {...form.register('payout')} />
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
      <Controller
        control={form.control}
        name="countries"
        render={({ field }) => (
          <FormField label={t('offers.countries')} error={te(errors.countries?.message)} hint={t('offers.countriesHint')}>
            <TagInput value={field.value} onChange={field.onChange} normalize={(s) => s.trim().toUpperCase()} isInvalid={(c) => !COUNTRY_CODE.test(c)} placeholder="US, DE, BR" />
          </FormField>
        )}
      />
      <FormField label={t('offers.url')} error={te(errors.url?.message)}>
        <Input type="url" placeholder="https://" {...form.register('url')} />
      </FormField>
      <FormField label={t('traffic.notes')} error={te(errors.notes?.message)}>
        <Textarea rows={2} {...form.register('notes')} />
      </FormField>
    </EntityDialog>
  )
}
