import { zodResolver } from '@hookform/resolvers/zod'
import { useEffect } from 'react'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'

import { EntityDialog } from '@/components/entity-dialog'
import { FormField } from '@/components/form-field'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { Textarea } from '@/components/ui/textarea'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'
import { type TrafficSource } from '@/lib/traffic/entities'
import { blankToNull } from '@/lib/utils'

import { SOURCE_KINDS, useSaveTraffic } from '../api'
import { messages } from '../i18n'
import { sourceSchema, type SourceFormValues } from '../schemas'

const defaults = (s?: TrafficSource | null): SourceFormValues => ({
  name: s?.name ?? '',
  kind: s?.kind ?? 'mobile_dsp',
  currency: s?.currency ?? 'USD',
  timezone: s?.timezone ?? 'UTC',
  website: s?.website ?? '',
  notes: s?.notes ?? '',
})

const FIELDS = ['name', 'kind', 'currency', 'timezone', 'website', 'notes'] as const

/** IANA zones for the time-zone suggestions (where the runtime can list them). */
const ZONES: string[] = (() => {
  try {
    return ['UTC', ...(Intl as unknown as { supportedValuesOf: (k: string) => string[] }).supportedValuesOf('timeZone')]
  } catch {
    return ['UTC']
  }
})()

export function SourceDialog({ open, onOpenChange, source }: { open: boolean; onOpenChange: (o: boolean) => void; source?: TrafficSource | null }) {
  const { t, te } = useI18n(messages)
  const save = useSaveTraffic('sources')
  const form = useForm<SourceFormValues>({ resolver: zodResolver(sourceSchema), defaultValues: defaults(source) })
  const { reset } = form
  useEffect(() => {
    if (open) reset(defaults(source))
  }, [open, source, reset])
  const { errors, isSubmitting } = form.formState

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await save.mutateAsync({
        id: source?.id,
        body: { name: v.name.trim(), kind: v.kind, currency: v.currency, timezone: v.timezone.trim(), website: blankToNull(v.website), notes: blankToNull(v.notes) },
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
      title={source ? t('sources.edit') : t('sources.new')}
      description={t('sources.dialogDescription')}
      onSubmit={onSubmit}
      isSubmitting={isSubmitting}
    >
      <FormField label={t('common.name')} error={te(errors.name?.message)}>
        <Input autoFocus {...form.register('name')} />
      </FormField>
      <div className="grid grid-cols-2 gap-3">
        <FormField label={t('sources.kind')} error={te(errors.kind?.message)}>
          <NativeSelect {...form.register('kind')}>
            {SOURCE_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`sourceKind.${k}`)}
              </option>
            ))}
          </NativeSelect>
        </FormField>
        <FormField label={t('common.currency')} error={te(errors.currency?.message)} hint={t('sources.currencyHint')}>
          <NativeSelect {...form.register('currency')}>
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </NativeSelect>
        </FormField>
      </div>
      <FormField label={t('sources.timezone')} error={te(errors.timezone?.message)} hint={t('sources.timezoneHint')}>
        <Input list="traffic-time-zones" autoComplete="off" {...form.register('timezone')} />
      </FormField>
      <datalist id="traffic-time-zones">
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <FormField label={t('traffic.website')} error={te(errors.website?.message)}>
        <Input type="url" placeholder="https://" {...form.register('website')} />
      </FormField>
      <FormField label={t('traffic.notes')} error={te(errors.notes?.message)}>
        <Textarea rows={2} {...form.register('notes')} />
      </FormField>
    </EntityDialog>
  )
}
