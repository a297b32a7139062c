import { zodResolver } from '@hookform/resolvers/zod'
import { Lock, LockOpen } from 'lucide-react'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'
import { z } from 'zod'

import { FormField } from '@/components/form-field'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState, Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { can, useRole } from '@/lib/auth'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'

import { useClosePeriod, usePeriods, useReopenPeriod } from '../api'
import { messages } from '../i18n'
import { lastDayOf } from '../lib'

const closeSchema = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/, 'validation.month') })
const reopenSchema = z.object({ to: z.string().refine((v) => v === '' || /^\d{4}-\d{2}$/.test(v), 'validation.month') })

function previousMonth(): string {
  const d = new Date()
  d.setDate(1)
  d.setMonth(d.getMonth() - 1)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}

export default function PeriodsPage() {
  const { t, te, date } = useI18n(messages)
  const role = useRole()
  const q = usePeriods()
  const close = useClosePeriod()
  const reopen = useReopenPeriod()
  const closeForm = useForm<z.infer<typeof closeSchema>>({ resolver: zodResolver(closeSchema), defaultValues: { month: previousMonth() } })
  const reopenForm = useForm<z.infer<typeof reopenSchema>>({ resolver: zodResolver(reopenSchema), defaultValues: { to: '' } })

  const onClose = closeForm.handleSubmit(async (v) => {
    try {
      await close.mutateAsync(lastDayOf(v.month))
      toast.success(t('periods.closedDone', { date: date(lastDayOf(v.month)) }))
    } catch (e) {
      applyServerError(e, closeForm.setError, ['month'], (f) => (f === 'through' ? 'month' : f))
    }
  })
  const onReopen = reopenForm.handleSubmit(async (v) => {
    try {
      await reopen.mutateAsync(v.to ? lastDayOf(v.to) : null)
      toast.success(t('periods.reopenedDone'))
    } catch (e) {
      applyServerError(e, reopenForm.setError, ['to'])
    }
  })

  return (
    <>
      <PageHeader title={t('nav.periods')} description={t('periods.description')} />
      {q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.isPending ? (
        <LoadingState rows={2} />
      ) : (
        <div className="grid max-w-3xl gap-6">
          <Card>
            <CardHeader>
              <CardDescription>{t('periods.closedThrough')}</CardDescription>
              <CardTitle className="text-2xl" data-testid="closed-through">
                {q.data.closed_through ? date(q.data.closed_through) : t('periods.nothingClosed')}
              </CardTitle>
            </CardHeader>
          </Card>
          {can.closePeriods(role) && (
            <Card>
              <CardHeader>
                <CardTitle className="flex items-center gap-2">
                  <Lock className="size-4" /> {t('periods.close')}
                </CardTitle>
                <CardDescription>{t('periods.closeHint')}</CardDescription>
              </CardHeader>
              <CardContent>
                <form onSubmit={onClose} className="flex flex-wrap items-end gap-3" noValidate>
                  <FormField label={t('periods.month')} error={te(closeForm.formState.errors.month?.message)}>
                    <Input type="month" className="w-48" {...closeForm.register('month')} />
                  </FormField>
                  <Button type="submit" disabled={closeForm.formState.isSubmitting}>
                    {closeForm.formState.isSubmitting && <Spinner />}
                    {t('periods.closeButton')}
                  </Button>
                </form>
              </CardContent>
            </Card>
          )}
          {can.reopenPeriods(role) && q.data.closed_through && (
            <Card>
              <CardHeader>
                <CardTitle className="flex items-center gap-2">
                  <LockOpen className="size-4" /> {t('periods.reopen')}
                </CardTitle>
                <CardDescription>{t('periods.reopenHint')}</CardDescription>
              </CardHeader>
              <CardContent>
                <form onSubmit={onReopen} className="flex flex-wrap items-end gap-3" noValidate>
                  <FormField label={t('periods.keepClosedThrough')} error={te(reopenForm.formState.errors.to?.message)}>
                    <Input type="month" className="w-48" {...reopenForm.register('to')} />
                  </FormField>
                  <Button type="submit" variant="destructive" disabled={reopenForm.formState.isSubmitting}>
                    {reopenForm.formState.isSubmitting && <Spinner />}
                    {t('periods.reopenButton')}
                  </Button>
                </form>
              </CardContent>
            </Card>
          )}
        </div>
      )}
    </>
  )
}
