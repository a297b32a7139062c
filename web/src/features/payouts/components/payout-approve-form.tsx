import { zodResolver } from '@hookform/resolvers/zod'
import { useForm } from 'react-hook-form'

import { FormDateField } from '@/components/date-field'
import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { NativeSelect } from '@/components/ui/native-select'
import type { Account, Category } from '@/hooks/use-lookups'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'

import type { ApproveBody } from '../api'
import { messages } from '../i18n'
import { approvePayoutSchema, type ApprovePayoutFormValues } from '../schemas'

const FIELDS = ['receivable_account_id', 'revenue_account_id', 'category_id', 'date'] as const

/**
 * Approving a payout: the asset account that holds what the program owes and the income
 * account of the revenue (both in the payout's currency), an income category and the posting date.
 */
export function PayoutApproveForm({
  currency,
  accounts,
  categories,
  defaults,
  onSubmit,
  onCancel,
}: {
  currency: string
  accounts: Account[]
  categories: Category[]
  defaults: ApprovePayoutFormValues
  onSubmit: (body: ApproveBody) => Promise<void>
  onCancel: () => void
}) {
  const { t, te } = useI18n(messages)
  const form = useForm<ApprovePayoutFormValues>({ resolver: zodResolver(approvePayoutSchema), defaultValues: defaults })
  const { errors, isSubmitting } = form.formState
  const usable = accounts.filter((a) => !a.archived && a.currency === currency)
  const receivables = usable.filter((a) => a.type === 'asset')
  const revenues = usable.filter((a) => a.type === 'income')
  const incomeCategories = categories.filter((c) => !c.archived && c.kind === 'income')

  const submit = form.handleSubmit(async (v) => {
    try {
      await onSubmit({
        receivable_account_id: v.receivable_account_id,
        revenue_account_id: v.revenue_account_id,
        category_id: v.category_id || null,
        date: v.date,
      })
    } catch (e) {
      // Also kept in the dialog: a toast vanishes before a refusal (a closed period, a
      // currency mismatch) is read.
      form.setError('root.server', { type: 'server', message: e instanceof Error ? e.message : String(e) })
      applyServerError(e, form.setError, FIELDS)
    }
  })

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate aria-label={t('payouts.approveTitle')}>
      <FormField label={t('payouts.receivable')} error={te(errors.receivable_account_id?.message)} hint={t('payouts.receivableHint', { currency })}>
        <NativeSelect autoFocus {...form.register('receivable_account_id')}>
          <option value="">{t('traffic.choose')}</option>
          {receivables.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </NativeSelect>
      </FormField>
      <FormField label={t('payouts.revenue')} error={te(errors.revenue_account_id?.message)} hint={t('payouts.revenueHint', { currency })}>
        <NativeSelect {...form.register('revenue_account_id')}>
          <option value="">{t('traffic.choose')}</option>
          {revenues.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </NativeSelect>
      </FormField>
      <div className="grid grid-cols-2 gap-3">
        <FormField label={t('payouts.category')} error={te(errors.category_id?.message)}>
          <NativeSelect {...form.register('category_id')}>
            <option value="">{t('common.none')}</option>
            {incomeCategories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </NativeSelect>
        </FormField>
        <FormField label={t('payouts.postingDate')} error={te(errors.date?.message)}>
          <FormDateField control={form.control} name="date" />
        </FormField>
      </div>
      {errors.root?.server && (
        <Alert variant="destructive" data-testid="form-problem">
          <AlertDescription>{errors.root.server.message}</AlertDescription>
        </Alert>
      )}
      <FormDialogFooter onCancel={onCancel} isSubmitting={isSubmitting} submitLabel={t('payouts.approve')} />
    </form>
  )
}
