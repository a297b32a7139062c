import Decimal from 'decimal.js'
import { CheckCircle2, Plus, Scale, Trash2 } from 'lucide-react'
import { useMemo } from 'react'
import { FormProvider, useFieldArray, useForm, useWatch } from 'react-hook-form'
import { z } from 'zod'

import { AccountOptions } from '@/components/account-options'
import { FormField } from '@/components/form-field'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import type { Account } from '@/hooks/use-lookups'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES, isDecimalString, normalizeAmountInput } from '@/lib/money'
import { checkCryptoBlock, cryptoBlockSchema, cryptoToBody, optionalCryptoDefaults, tokenOf } from '@/lib/tron'
import { blankToNull, cn } from '@/lib/utils'

import type { Transaction } from '../api'
import { messages } from '../i18n'
import { chosenLeg, walletLegs } from '../lib/crypto-leg'
import { computeImbalance } from '../lib/imbalance'
import { CRYPTO_FIELDS, mapServerField, META_FIELDS, metaDefaults, metaSchema, metaToBody } from '../lib/meta'
import { useWalletIds, walletResolver, type WalletContext } from '../lib/wallet-resolver'
import { CommonFields } from './common-fields'
import { CryptoFields } from './crypto-fields'
import { FormFooter } from './form-footer'
import type { TransactionFormProps } from './form-types'

const entrySchema = z.object({
  account_id: z.string(),
  amount: z.string(),
  memo: z.string().max(500, 'validation.tooLong'),
  price_currency: z.string(),
  price_mode: z.enum(['rate', 'total']),
  price_value: z.string(),
})

/**
 * The journal's rules. The crypto block (on-chain details of the transfer behind a wallet entry)
 * is checked only while an entry is on a crypto wallet and the block is ticked: an untouched or
 * hidden block never stops a posting.
 */
const journalSchema = (walletIds: ReadonlySet<string>) =>
  z
    .object({
      meta: metaSchema,
      entries: z.array(entrySchema).min(2, 'validation.twoEntries').max(200),
      crypto: cryptoBlockSchema,
      /** The index of the wallet entry the on-chain transfer is (as text; blank: the first one). */
      crypto_leg: z.string(),
    })
    .superRefine((v, ctx) => {
      if (v.entries.some((e) => walletIds.has(e.account_id))) checkCryptoBlock(v.crypto, ctx, ['crypto'])
    })

type Values = z.infer<ReturnType<typeof journalSchema>>
type Entry = Values['entries'][number]

const journalResolver = walletResolver<Values>(journalSchema)

const sameAmount = (a: string, b: string) => {
  const x = normalizeAmountInput(a).replace(/^-/, '')
  const y = normalizeAmountInput(b).replace(/^-/, '')
  return isDecimalString(x) && isDecimalString(y) && new Decimal(x).eq(y)
}

const emptyEntry = (): Entry => ({ account_id: '', amount: '', memo: '', price_currency: '', price_mode: 'rate', price_value: '' })

function defaults(accounts: Account[], tx?: Transaction | null): Values {
  const wallets = new Set(accounts.filter((a) => a.kind === 'crypto_wallet').map((a) => a.id))
  // Editing: the crypto details belong to the wallet entry of the same amount.
  const leg = tx?.crypto ? (tx.entries.findIndex((e) => wallets.has(e.account_id) && sameAmount(e.amount, tx.crypto?.amount ?? ''))) : -1
  return {
    meta: metaDefaults(tx),
    crypto: optionalCryptoDefaults(tx?.crypto),
    crypto_leg: leg >= 0 ? String(leg) : '',
    entries: tx?.entries.length
      ? tx.entries.map((e) => ({
          account_id: e.account_id,
          amount: e.amount,
          memo: e.memo ?? '',
          price_currency: e.price?.currency ?? '',
          price_mode: e.price ? 'total' : 'rate',
          price_value: e.price?.total.replace(/^-/, '') ?? '',
        }))
      : [emptyEntry(), emptyEntry()],
  }
}

/**
 * The multi-leg journal: any number of entries (debit positive, credit negative), each
 * optionally priced in another currency. The running imbalance per currency is shown as you
 * type, and the form does not submit until every currency balances to exactly zero.
 */
export function JournalForm({ refs, initial, onSubmit, onCancel }: TransactionFormProps) {
  const { t, te, money } = useI18n(messages)
  const walletIds = useWalletIds(refs.accounts)
  const form = useForm<Values, WalletContext>({ resolver: journalResolver, context: { walletIds }, defaultValues: defaults(refs.accounts, initial) })
  const { fields, append, remove } = useFieldArray({ control: form.control, name: 'entries' })
  const { errors, isSubmitting } = form.formState
  const entries = useWatch({ control: form.control, name: 'entries' })
  const currencyOf = useMemo(() => {
    const m = new Map(refs.accounts.map((a) => [a.id, a.currency]))
    return (id: string) => m.get(id)
  }, [refs.accounts])
  const result = useMemo(() => computeImbalance(entries ?? [], currencyOf), [entries, currencyOf])
  const residual = Object.entries(result.residual)
  const cryptoLeg = useWatch({ control: form.control, name: 'crypto_leg' })
  const legs = walletLegs(entries ?? [], walletIds)
  const leg = chosenLeg(legs, cryptoLeg ?? '')
  const legAccount = (i: number | undefined) => refs.accounts.find((a) => a.id === entries?.[i ?? -1]?.account_id)
  const legLabel = (i: number) => t('crypto.walletEntryOption', { n: i + 1, account: legAccount(i)?.name ?? '' })

  /** Puts the single remaining residual on the first entry without an amount. */
  const fillResidual = () => {
    if (residual.length !== 1) return
    const [currency, value] = residual[0]
    const i = (entries ?? []).findIndex((e) => !e.amount.trim() && e.account_id && currencyOf(e.account_id) === currency && !e.price_currency)
    if (i >= 0) form.setValue(`entries.${i}.amount`, value.startsWith('-') ? value.slice(1) : `-${value}`, { shouldValidate: true })
  }

  const submit = form.handleSubmit(async (v) => {
    const check = computeImbalance(v.entries, currencyOf)
    if (!check.balanced) {
      form.setError('root', { message: 'tx.notBalanced' })
      return
    }
    // The on-chain amount is the wallet entry's (unsigned); the token is the wallet's when it is one.
    const cryptoIndex = chosenLeg(walletLegs(v.entries, walletIds), v.crypto_leg)
    const wallet = cryptoIndex === undefined ? undefined : refs.accounts.find((a) => a.id === v.entries[cryptoIndex].account_id)
    const crypto =
      wallet && cryptoIndex !== undefined && v.crypto.enabled ? cryptoToBody({ ...v.crypto, token: tokenOf(wallet.currency) ?? v.crypto.token }, v.entries[cryptoIndex].amount) : null
    try {
      await onSubmit({
        ...metaToBody(v.meta),
        crypto,
        entries: v.entries.map((e) => ({
          account_id: e.account_id,
          amount: normalizeAmountInput(e.amount),
          memo: blankToNull(e.memo),
          price: e.price_currency
            ? {
                currency: e.price_currency,
                ...(e.price_mode === 'rate' ? { rate: normalizeAmountInput(e.price_value) } : { total: normalizeAmountInput(e.price_value) }),
              }
            : null,
        })),
      })
    } catch (err) {
      const fieldNames = [
        ...META_FIELDS,
        ...CRYPTO_FIELDS,
        'root',
        ...v.entries.flatMap((_, i) => ['account_id', 'amount', 'memo', 'price_value', 'price_currency'].map((f) => `entries.${i}.${f}`)),
      ]
      // The server compares the on-chain amount with the wallet entry: its refusal belongs there.
      const mapField = (f: string) => (f === 'crypto.amount' && cryptoIndex !== undefined ? `entries.${cryptoIndex}.amount` : f === 'crypto' ? 'root' : mapServerField(f))
      applyServerError(err, form.setError, fieldNames, mapField)
    }
  })

  const lineProblem = (i: number, field: string) => {
    const p = result.problems.find((x) => x.index === i && x.field === field)
    if (!p || p.message === 'validation.required') return undefined
    return te(p.message)
  }

  return (
    <FormProvider {...form}>
      <form onSubmit={submit} className="grid gap-4" noValidate aria-label={t('tx.newJournal')}>
        <CommonFields refs={refs} />
        <fieldset className="grid gap-2">
          <legend className="mb-1 text-sm font-medium">{t('tx.entries')}</legend>
          <div className="text-muted-foreground grid grid-cols-[minmax(12rem,1fr)_9rem_13rem_minmax(8rem,1fr)_2.25rem] gap-2 text-xs">
            <span>{t('tx.account')}</span>
            <span className="text-right">{t('tx.amountSigned')}</span>
            <span>{t('tx.price')}</span>
            <span>{t('tx.memo')}</span>
            <span />
          </div>
          {fields.map((f, i) => {
            const entry = entries?.[i]
            const cur = entry?.account_id ? currencyOf(entry.account_id) : undefined
            const amountError = te(errors.entries?.[i]?.amount?.message) ?? lineProblem(i, 'amount')
            const priceError = te(errors.entries?.[i]?.price_value?.message) ?? lineProblem(i, 'price_value') ?? lineProblem(i, 'price_currency')
            return (
              <div key={f.id} className="grid grid-cols-[minmax(12rem,1fr)_9rem_13rem_minmax(8rem,1fr)_2.25rem] items-start gap-2" data-testid={`entry-${i}`}>
                <NativeSelect aria-label={t('tx.entryAccount', { n: i + 1 })} {...form.register(`entries.${i}.account_id`)}>
                  <option value="">{t('tx.chooseAccount')}</option>
                  <AccountOptions accounts={refs.accounts} />
                </NativeSelect>
                <div>
                  <div className="relative">
                    <Input
                      inputMode="decimal"
                      className="pr-12 text-right tabular-nums"
                      aria-label={t('tx.entryAmount', { n: i + 1 })}
                      aria-invalid={amountError ? true : undefined}
                      {...form.register(`entries.${i}.amount`)}
                    />
                    <span className="text-muted-foreground pointer-events-none absolute top-1/2 right-2 -translate-y-1/2 text-xs">{cur}</span>
                  </div>
                  {amountError && <p className="text-destructive mt-1 text-xs">{amountError}</p>}
                </div>
                <div>
                  <div className="flex gap-1">
                    <NativeSelect className="w-20" aria-label={t('tx.entryPriceCurrency', { n: i + 1 })} {...form.register(`entries.${i}.price_currency`)}>
                      <option value="">—</option>
                      {CURRENCIES.filter((c) => c !== cur).map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                    </NativeSelect>
                    {entry?.price_currency && (
                      <>
                        <NativeSelect className="w-16" aria-label={t('tx.priceMode')} {...form.register(`entries.${i}.price_mode`)}>
                          <option value="rate">@</option>
                          <option value="total">@@</option>
                        </NativeSelect>
                        <Input
                          inputMode="decimal"
                          className="text-right tabular-nums"
                          aria-label={entry.price_mode === 'rate' ? t('tx.rate') : t('tx.priceTotal')}
                          {...form.register(`entries.${i}.price_value`)}
                        />
                      </>
                    )}
                  </div>
                  {priceError && <p className="text-destructive mt-1 text-xs">{priceError}</p>}
                </div>
                <Input aria-label={t('tx.entryMemo', { n: i + 1 })} {...form.register(`entries.${i}.memo`)} />
                <Button type="button" variant="ghost" size="icon" onClick={() => remove(i)} disabled={fields.length <= 2} aria-label={t('tx.removeEntry', { n: i + 1 })}>
                  <Trash2 />
                </Button>
              </div>
            )
          })}
          <div>
            <Button type="button" variant="outline" size="sm" onClick={() => append(emptyEntry())}>
              <Plus /> {t('tx.addEntry')}
            </Button>
          </div>
        </fieldset>
        {leg !== undefined && (
          <CryptoFields
            token={tokenOf(legAccount(leg)?.currency)}
            leg={
              legs.length > 1 && (
                <FormField label={t('crypto.walletEntry')}>
                  <NativeSelect value={String(leg)} onChange={(e) => form.setValue('crypto_leg', e.target.value)}>
                    {legs.map((i) => (
                      <option key={i} value={String(i)}>
                        {legLabel(i)}
                      </option>
                    ))}
                  </NativeSelect>
                </FormField>
              )
            }
          />
        )}
        <div
          role="status"
          aria-live="polite"
          data-testid="imbalance"
          className={cn('rounded-md border p-3 text-sm', result.balanced ? 'border-green-600/40 bg-green-50 text-green-800' : 'bg-muted/40')}
        >
          {result.balanced ? (
            <span className="flex items-center gap-2">
              <CheckCircle2 className="size-4" /> {t('tx.balanced')}{' '}
              {Object.entries(result.debits)
                .map(([c, v]) => money(v, c))
                .join(' · ')}
            </span>
          ) : residual.length > 0 ? (
            <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
              <span className="font-medium">{t('tx.outOfBalance')}</span>
              {residual.map(([c, v]) => (
                <span key={c} className="text-destructive tabular-nums" data-testid={`residual-${c}`}>
                  {money(v, c, { signed: true })}
                </span>
              ))}
              {residual.length === 1 && (
                <Button type="button" variant="outline" size="sm" onClick={fillResidual}>
                  <Scale /> {t('tx.fillResidual')}
                </Button>
              )}
            </div>
          ) : (
            <span className="text-muted-foreground">{t('tx.enterEntries')}</span>
          )}
        </div>
        {errors.root?.message && (
          <p className="text-destructive text-sm" role="alert">
            {te(errors.root.message)}
          </p>
        )}
        <FormFooter submitting={isSubmitting} disabled={!result.balanced} onCancel={onCancel} />
      </form>
    </FormProvider>
  )
}
