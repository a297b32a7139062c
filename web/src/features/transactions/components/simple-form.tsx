import { FormProvider, useForm, useWatch } from 'react-hook-form'
import { z } from 'zod'

import { AccountOptions } from '@/components/account-options'
import { FormField } from '@/components/form-field'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { normalizeAmountInput } from '@/lib/money'
import { checkCryptoBlock, cryptoBlockSchema, cryptoToBody, optionalCryptoDefaults, tokenOf } from '@/lib/tron'

import type { Transaction } from '../api'
import { messages } from '../i18n'
import { CRYPTO_FIELDS, mapServerField, META_FIELDS, metaDefaults, metaSchema, metaToBody, positiveAmount } from '../lib/meta'
import { useWalletIds, walletResolver, type WalletContext } from '../lib/wallet-resolver'
import { CommonFields } from './common-fields'
import { CryptoFields } from './crypto-fields'
import { FormFooter } from './form-footer'
import type { TransactionFormProps } from './form-types'

/** The crypto block is checked only while the money account is a crypto wallet. */
const simpleSchema = (walletIds: ReadonlySet<string>) =>
  z
    .object({
      meta: metaSchema,
      account_id: z.string().min(1, 'validation.required'),
      other_account_id: z.string().min(1, 'validation.required'),
      amount: positiveAmount,
      crypto: cryptoBlockSchema,
    })
    .superRefine((v, ctx) => {
      if (walletIds.has(v.account_id)) checkCryptoBlock(v.crypto, ctx, ['crypto'])
    })

type Values = z.infer<ReturnType<typeof simpleSchema>>
const simpleResolver = walletResolver<Values>(simpleSchema)

function defaults(kind: 'income' | 'expense', tx?: Transaction | null): Values {
  const debit = tx?.entries.find((e) => !e.amount.startsWith('-'))
  const credit = tx?.entries.find((e) => e.amount.startsWith('-'))
  // income: the money account is debited; expense: the money account is credited.
  const money = kind === 'income' ? debit : credit
  const other = kind === 'income' ? credit : debit
  return {
    meta: metaDefaults(tx),
    account_id: money?.account_id ?? '',
    other_account_id: other?.account_id ?? '',
    amount: debit?.amount ?? '',
    crypto: optionalCryptoDefaults(tx?.crypto),
  }
}

/** The income and expense forms: money account, income/expense account, amount. */
export function SimpleForm({ kind, refs, initial, onSubmit, onCancel }: TransactionFormProps & { kind: 'income' | 'expense' }) {
  const { t, te } = useI18n(messages)
  const walletIds = useWalletIds(refs.accounts)
  const form = useForm<Values, WalletContext>({ resolver: simpleResolver, context: { walletIds }, defaultValues: defaults(kind, initial) })
  const { errors, isSubmitting } = form.formState
  const accountId = useWatch({ control: form.control, name: 'account_id' })
  const wallet = refs.accounts.find((a) => a.id === accountId && a.kind === 'crypto_wallet')

  const submit = form.handleSubmit(async (v) => {
    const amount = normalizeAmountInput(v.amount)
    try {
      await onSubmit({
        ...metaToBody(v.meta),
        ...(kind === 'income'
          ? { income: { account_id: v.account_id, income_account_id: v.other_account_id, amount } }
          : { expense: { account_id: v.account_id, expense_account_id: v.other_account_id, amount } }),
        crypto: wallet && v.crypto.enabled ? cryptoToBody({ ...v.crypto, token: tokenOf(wallet.currency) ?? v.crypto.token }, amount) : null,
      })
    } catch (e) {
      applyServerError(e, form.setError, [...META_FIELDS, ...CRYPTO_FIELDS, 'account_id', 'other_account_id', 'amount'], (f) =>
        /_(income|expense)_account_id$|^(income|expense)\.(income|expense)_account_id$/.test(f) ? 'other_account_id' : mapServerField(f),
      )
    }
  })

  return (
    <FormProvider {...form}>
      <form onSubmit={submit} className="grid gap-4" noValidate aria-label={t(kind === 'income' ? 'tx.newIncome' : 'tx.newExpense')}>
        <div className="grid grid-cols-[1fr_1fr_10rem] gap-3">
          <FormField label={kind === 'income' ? t('tx.receivedInto') : t('tx.paidFrom')} error={te(errors.account_id?.message)}>
            <NativeSelect {...form.register('account_id')}>
              <option value="">{t('tx.chooseAccount')}</option>
              <AccountOptions accounts={refs.accounts} types={['asset', 'liability']} />
            </NativeSelect>
          </FormField>
          <FormField label={kind === 'income' ? t('tx.incomeAccount') : t('tx.expenseAccount')} error={te(errors.other_account_id?.message)}>
            <NativeSelect {...form.register('other_account_id')}>
              <option value="">{t('tx.chooseAccount')}</option>
              <AccountOptions accounts={refs.accounts} types={[kind]} />
            </NativeSelect>
          </FormField>
          <FormField label={t('common.amount')} error={te(errors.amount?.message)}>
            <Input inputMode="decimal" className="text-right tabular-nums" {...form.register('amount')} />
          </FormField>
        </div>
        {wallet && <CryptoFields token={tokenOf(wallet.currency)} />}
        <CommonFields refs={refs} categoryKind={kind} />
        <FormFooter submitting={isSubmitting} onCancel={onCancel} />
      </form>
    </FormProvider>
  )
}
