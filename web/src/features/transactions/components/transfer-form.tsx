import Decimal from 'decimal.js'
import { FormProvider, useForm, useWatch } from 'react-hook-form'
import { z } from 'zod'

import { AccountOptions } from '@/components/account-options'
import { FormField } from '@/components/form-field'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { currencyScale, isDecimalString, normalizeAmountInput } from '@/lib/money'
import { checkCryptoBlock, cryptoBlockSchema, cryptoToBody, optionalCryptoDefaults, tokenOf } from '@/lib/tron'

import type { Transaction } from '../api'
import { messages } from '../i18n'
import { CRYPTO_FIELDS, mapServerField, META_FIELDS, metaDefaults, metaSchema, metaToBody, positiveAmount } from '../lib/meta'
import { useWalletIds, walletResolver, type WalletContext } from '../lib/wallet-resolver'
import { CommonFields } from './common-fields'
import { CryptoFields } from './crypto-fields'
import { FormFooter } from './form-footer'
import type { TransactionFormProps } from './form-types'

/** The crypto block is checked only while either account is a crypto wallet. */
const transferSchema = (walletIds: ReadonlySet<string>) =>
  z
    .object({
      meta: metaSchema,
      from_account_id: z.string().min(1, 'validation.required'),
      to_account_id: z.string().min(1, 'validation.required'),
      amount: positiveAmount,
      rate_mode: z.enum(['rate', 'to_amount']),
      rate_value: z.string(),
      crypto: cryptoBlockSchema,
    })
    .refine((v) => v.from_account_id !== v.to_account_id, { path: ['to_account_id'], message: 'validation.sameAccount' })
    .superRefine((v, ctx) => {
      if (walletIds.has(v.from_account_id) || walletIds.has(v.to_account_id)) checkCryptoBlock(v.crypto, ctx, ['crypto'])
    })

type Values = z.infer<ReturnType<typeof transferSchema>>
const transferResolver = walletResolver<Values>(transferSchema)

function defaults(tx?: Transaction | null): Values {
  const from = tx?.entries.find((e) => e.amount.startsWith('-'))
  const to = tx?.entries.find((e) => !e.amount.startsWith('-'))
  const cross = !!from && !!to && from.currency !== to.currency
  return {
    meta: metaDefaults(tx),
    from_account_id: from?.account_id ?? '',
    to_account_id: to?.account_id ?? '',
    amount: from?.amount.replace(/^-/, '') ?? '',
    rate_mode: cross ? 'to_amount' : 'rate',
    rate_value: cross ? (to?.amount ?? '') : '',
    crypto: optionalCryptoDefaults(tx?.crypto),
  }
}

export function TransferForm({ refs, initial, onSubmit, onCancel }: TransactionFormProps) {
  const { t, te, money } = useI18n(messages)
  const walletIds = useWalletIds(refs.accounts)
  const form = useForm<Values, WalletContext>({ resolver: transferResolver, context: { walletIds }, defaultValues: defaults(initial) })
  const { errors, isSubmitting } = form.formState
  const [fromId, toId, amount, mode, rateValue] = useWatch({ control: form.control, name: ['from_account_id', 'to_account_id', 'amount', 'rate_mode', 'rate_value'] })
  const fromCurrency = refs.accounts.find((a) => a.id === fromId)?.currency
  const toCurrency = refs.accounts.find((a) => a.id === toId)?.currency
  const cross = !!fromCurrency && !!toCurrency && fromCurrency !== toCurrency
  const fromWallet = refs.accounts.find((x) => x.id === fromId && x.kind === 'crypto_wallet')
  const toWallet = refs.accounts.find((x) => x.id === toId && x.kind === 'crypto_wallet')

  // What the receiving account gets, shown while typing (decimal arithmetic, half-even).
  let received: string | null = null
  const a = normalizeAmountInput(amount ?? '')
  const r = normalizeAmountInput(rateValue ?? '')
  if (cross && isDecimalString(a) && isDecimalString(r)) {
    received = mode === 'rate' ? new Decimal(a).times(r).toDecimalPlaces(currencyScale(toCurrency), Decimal.ROUND_HALF_EVEN).toFixed() : r
  }

  // The on-chain amount is the wallet leg's: the sent amount, or what the receiving wallet gets.
  const walletCrypto = (v: Values, amt: string) => {
    const wallet = fromWallet ?? toWallet
    if (!wallet || !v.crypto.enabled) return null
    const legAmount = fromWallet || !cross ? amt : (received ?? '')
    return cryptoToBody({ ...v.crypto, token: tokenOf(wallet.currency) ?? v.crypto.token }, legAmount)
  }

  const submit = form.handleSubmit(async (v) => {
    const amt = normalizeAmountInput(v.amount)
    const rv = normalizeAmountInput(v.rate_value)
    if (cross && (!isDecimalString(rv) || new Decimal(rv).lte(0))) {
      form.setError('rate_value', { message: 'validation.positive' }, { shouldFocus: true })
      return
    }
    try {
      await onSubmit({
        ...metaToBody(v.meta),
        transfer: {
          from_account_id: v.from_account_id,
          to_account_id: v.to_account_id,
          amount: amt,
          ...(cross ? (v.rate_mode === 'rate' ? { rate: rv } : { to_amount: rv }) : {}),
        },
        crypto: walletCrypto(v, amt),
      })
    } catch (e) {
      applyServerError(e, form.setError, [...META_FIELDS, ...CRYPTO_FIELDS, 'from_account_id', 'to_account_id', 'amount', 'rate_value'], mapServerField)
    }
  })

  return (
    <FormProvider {...form}>
      <form onSubmit={submit} className="grid gap-4" noValidate aria-label={t('tx.newTransfer')}>
        <div className="grid grid-cols-[1fr_1fr_10rem] gap-3">
          <FormField label={t('tx.from')} error={te(errors.from_account_id?.message)}>
            <NativeSelect {...form.register('from_account_id')}>
              <option value="">{t('tx.chooseAccount')}</option>
              <AccountOptions accounts={refs.accounts} types={['asset', 'liability', 'equity']} />
            </NativeSelect>
          </FormField>
          <FormField label={t('tx.to')} error={te(errors.to_account_id?.message)}>
            <NativeSelect {...form.register('to_account_id')}>
              <option value="">{t('tx.chooseAccount')}</option>
              <AccountOptions accounts={refs.accounts} types={['asset', 'liability', 'equity']} />
            </NativeSelect>
          </FormField>
          <FormField label={fromCurrency ? `${t('common.amount')} (${fromCurrency})` : t('common.amount')} error={te(errors.amount?.message)}>
            <Input inputMode="decimal" className="text-right tabular-nums" {...form.register('amount')} />
          </FormField>
        </div>
        {cross && (
          <div className="bg-muted/50 grid grid-cols-[12rem_10rem_1fr] items-end gap-3 rounded-md p-3">
            <FormField label={t('tx.conversion')}>
              <NativeSelect {...form.register('rate_mode')}>
                <option value="rate">{t('tx.byRate', { from: fromCurrency, to: toCurrency })}</option>
                <option value="to_amount">{t('tx.byReceived', { to: toCurrency })}</option>
              </NativeSelect>
            </FormField>
            <FormField label={mode === 'rate' ? t('tx.rate') : t('tx.receivedAmount')} error={te(errors.rate_value?.message)}>
              <Input inputMode="decimal" className="text-right tabular-nums" {...form.register('rate_value')} />
            </FormField>
            <p className="text-muted-foreground pb-2 text-sm" aria-live="polite">
              {received !== null && t('tx.receives', { amount: money(received, toCurrency) })}
            </p>
          </div>
        )}
        {(fromWallet || toWallet) && <CryptoFields token={tokenOf((fromWallet ?? toWallet)?.currency)} />}
        <CommonFields refs={refs} />
        <FormFooter submitting={isSubmitting} onCancel={onCancel} />
      </form>
    </FormProvider>
  )
}
