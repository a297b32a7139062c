import { zodResolver } from '@hookform/resolvers/zod'
import { useEffect, useState } from 'react'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'
import { useNavigate } from 'react-router'

import { FormDateField } from '@/components/date-field'
import { EntityDialog } from '@/components/entity-dialog'
import { EntityOptions } from '@/components/entity-options'
import { FormField } from '@/components/form-field'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { NativeSelect } from '@/components/ui/native-select'
import { useI18n } from '@/lib/i18n'
import { presetRange } from '@/lib/periods'
import { useAllTraffic } from '@/lib/traffic/entities'
import { today } from '@/lib/utils'

import { useComputePayout } from '../api'
import { messages } from '../i18n'
import { newPayoutSchema, type NewPayoutFormValues } from '../schemas'

const defaults = (programId = ''): NewPayoutFormValues => ({ program_id: programId, ...presetRange('lastMonth', today()) })

/** Computes a draft payout of a program over a period, then opens it. */
export function NewPayoutDialog({ open, onOpenChange, programId }: { open: boolean; onOpenChange: (o: boolean) => void; programId?: string }) {
  const { t, te } = useI18n(messages)
  const navigate = useNavigate()
  const compute = useComputePayout()
  const programs = useAllTraffic('programs')
  const [problem, setProblem] = useState<string | null>(null)
  const form = useForm<NewPayoutFormValues>({ resolver: zodResolver(newPayoutSchema), defaultValues: defaults(programId) })
  const { reset } = form
  useEffect(() => {
    if (open) reset(defaults(programId))
  }, [open, programId, reset])
  const openChange = (o: boolean) => {
    if (!o) setProblem(null)
    onOpenChange(o)
  }
  const { errors, isSubmitting } = form.formState

  const onSubmit = form.handleSubmit(async (v) => {
    setProblem(null)
    try {
      const p = await compute.mutateAsync(v)
      toast.success(t('payouts.computed'))
      openChange(false)
      void navigate(`/traffic/payouts/${p.id}`)
    } catch (e) {
      // 409 (overlaps another payout) and 422 (nothing to pay) explain themselves.
      setProblem(e instanceof Error ? e.message : String(e))
    }
  })

  return (
    <EntityDialog
      open={open}
      onOpenChange={openChange}
      title={t('payouts.new')}
      description={t('payouts.newDescription')}
      onSubmit={onSubmit}
      isSubmitting={isSubmitting}
      submitLabel={t('payouts.compute')}
    >
      <FormField label={t('payouts.program')} error={te(errors.program_id?.message)}>
        <NativeSelect autoFocus {...form.register('program_id')}>
          <option value="">{t('traffic.choose')}</option>
          <EntityOptions items={programs.data} label={(p) => `${p.name} · ${(p as { currency?: string }).currency ?? ''}`} />
        </NativeSelect>
      </FormField>
      <div className="grid grid-cols-2 gap-3">
        <FormField label={t('analytics.from')} error={te(errors.from?.message)}>
          <FormDateField control={form.control} name="from" />
        </FormField>
        <FormField label={t('analytics.to')} error={te(errors.to?.message)}>
          <FormDateField control={form.control} name="to" />
        </FormField>
      </div>
      {problem && (
        <Alert variant="destructive" data-testid="payout-problem">
          <AlertDescription>{problem}</AlertDescription>
        </Alert>
      )}
    </EntityDialog>
  )
}
