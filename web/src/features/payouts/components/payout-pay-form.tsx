import { zodResolver } from '@hookform/resolvers/zod'
import { useMemo } from 'react'
import { useForm, useWatch } from 'react-hook-form'

import { FormDateField } from '@/components/date-field'
import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import type { Account } from '@/hooks/use-lookups'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { normalizeAmountInput } from '@/lib/money'
import { blankToNull } from '@/lib/utils'

import type { PayBody } from '../api'
import { messages } from '../i18n'
import { payPayoutSchema, type PayPayoutFormValues } from '../schemas'

const FIELDS = ['account_id', 'amount', 'tx_hash', 'date'] as const

/**
 * Marking a payout paid: the asset account the money arrived in (any currency), the amount that
 * arrived (required when the account's currency differs from the payout's), an optional on-chain
 * transaction hash and the date.
 */
export function PayoutPayForm({
  currency,
  total,
  accounts,
  defaults,
  onSubmit,
  onCancel,
}: {
  currency: string
  total: string
  accounts: Account[]
  defaults: PayPayoutFormValues
  onSubmit: (body: PayBody) => Promise<void>
  onCancel: () => void
}) {
  const { t, te, money } = useI18n(messages)
  const assets = useMemo(() => accounts.filter((a) => !a.archived && a.type === 'asset'), [accounts])
  const currencyOf = useMemo(() => {
    const m = new Map(accounts.map((a) => [a.id, a.currency]))
    return (id: string) => m.get(id)
  }, [accounts])
  const schema = useMemo(() => payPayoutSchema(currency, currencyOf), [currency, currencyOf])
  const form = useForm<PayPayoutFormValues>({ resolver: zodResolver(schema), defaultValues: defaults })
  const { errors, isSubmitting } = form.formState
  const accountCurrency = currencyOf(useWatch({ control: form.control, name: 'account_id' }))
  const foreign = !!accountCurrency && accountCurrency !== currency

  const submit = form.handleSubmit(async (v) => {
    try {
      await onSubmit({
        account_id: v.account_id,
        amount: blankToNull(normalizeAmountInput(v.amount)),
        tx_hash: blankToNull(v.tx_hash),
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
    <form onSubmit={submit} className="grid gap-4" noValidate aria-label={t('payouts.payTitle')}>
      <FormField label={t('payouts.payAccount')} error={te(errors.account_id?.message)}>
        <NativeSelect autoFocus {...form.register('account_id')}>
          <option value="">{t('traffic.choose')}</option>
          {assets.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} · {a.currency}
            </option>
          ))}
        </NativeSelect>
      </FormField>
      <div className="grid grid-cols-2 gap-3">
        <FormField
          label={accountCurrency ? `${t('payouts.amountReceived')}, ${accountCurrency}` : t('payouts.amountReceived')}
          error={te(errors.amount?.message)}
          hint={foreign ? t('payouts.amountHintOther', { currency: accountCurrency, payoutCurrency: currency }) : t('payouts.amountHintSame', { total: money(total, currency) })}
        >
          <Input inputMode="decimal" autoComplete="off" placeholder={foreign ? '' : total} {...form.register('amount')} />
        </FormField>
        <FormField label={t('payouts.paidOn')} error={te(errors.date?.message)}>
          <FormDateField control={form.control} name="date" />
        </FormField>
      </div>
      <FormField label={t('payouts.txHash')} error={te(errors.tx_hash?.message)} hint={t('payouts.txHashHint')}>
        <Input autoComplete="off" spellCheck={false} className="font-mono text-xs" maxLength={80} {...form.register('tx_hash')} />
      </FormField>
      {errors.root?.server && (
        <Alert variant="destructive" data-testid="form-problem">
          <AlertDescription>{errors.root.server.message}</AlertDescription>
        </Alert>
      )}
      <FormDialogFooter onCancel={onCancel} isSubmitting={isSubmitting} submitLabel={t('payouts.pay')} />
    </form>
  )
}
