import { zodResolver } from '@hookform/resolvers/zod'
import { useMemo } from 'react'
import { useForm } from 'react-hook-form'

import { FormDateField } from '@/components/date-field'
import { FormField } from '@/components/form-field'
import { Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { normalizeAmountInput } from '@/lib/money'
import { today } from '@/lib/utils'

import type { RateBody } from '../api'
import { messages } from '../i18n'
import { rateSchema, type RateFormValues } from '../schemas'
import { CurrencyOptions } from './currency-options'

const FIELDS = ['date', 'base', 'quote', 'rate'] as const

/** Enters one exchange rate by hand; the form is kept (but the rate cleared) after saving. */
export function RateForm({ onSubmit, now = today }: { onSubmit: (body: RateBody) => Promise<void>; now?: () => string }) {
  const { t, te } = useI18n(messages)
  const schema = useMemo(() => rateSchema(now), [now])
  const form = useForm<RateFormValues>({ resolver: zodResolver(schema), defaultValues: { date: now(), base: 'EUR', quote: 'USD', rate: '' } })
  const { errors, isSubmitting } = form.formState

  const submit = form.handleSubmit(async (v) => {
    try {
      await onSubmit({ date: v.date, base: v.base, quote: v.quote, rate: normalizeAmountInput(v.rate) })
      form.reset({ ...v, rate: '' })
    } catch (e) {
      applyServerError(e, form.setError, FIELDS)
    }
  })

  return (
    <form onSubmit={submit} noValidate aria-label={t('rates.add')} className="grid gap-3">
      <div className="grid grid-cols-2 gap-3">
        <FormField label={t('rates.base')} error={te(errors.base?.message)}>
          <NativeSelect {...form.register('base')}>
            <CurrencyOptions />
          </NativeSelect>
        </FormField>
        <FormField label={t('rates.quote')} error={te(errors.quote?.message)}>
          <NativeSelect {...form.register('quote')}>
            <CurrencyOptions />
          </NativeSelect>
        </FormField>
        <FormField label={t('rates.rate')} error={te(errors.rate?.message)} hint={t('rates.addHint')}>
          <Input inputMode="decimal" autoComplete="off" placeholder="1.0876" {...form.register('rate')} />
        </FormField>
        <FormField label={t('common.date')} error={te(errors.date?.message)}>
          <FormDateField control={form.control} name="date" max={now()} />
        </FormField>
      </div>
      <div>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting && <Spinner />}
          {t('rates.addSubmit')}
        </Button>
      </div>
    </form>
  )
}
