import { Search } from 'lucide-react'
import { useState, type FormEvent } from 'react'

import { AccountOptions } from '@/components/account-options'
import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Segmented } from '@/components/segmented'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { useDebounced } from '@/hooks/use-debounced'
import type { Account } from '@/hooks/use-lookups'
import { useI18n } from '@/lib/i18n'
import { isDecimalString, normalizeAmountInput } from '@/lib/money'
import { cn, today } from '@/lib/utils'

import { CANDIDATES_PAGE, usePaymentCandidates, type InvoiceDetail, type PaymentIn } from '../api'
import { messages } from '../i18n'
import { candidateState, ownPostings, settledAmount } from '../lib/payment'

export type PaymentMode = 'new' | 'existing'

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e))

/**
 * A payment of an invoice: either a new movement through a money account (in another currency
 * it needs the rate, invoice currency per unit), or a posted transaction that already moved the
 * money against the invoice's control account, picked from the counterparty's transactions.
 */
export function PaymentForm({
  invoice,
  accounts,
  onSubmit,
  onCancel,
}: {
  invoice: InvoiceDetail
  accounts: Account[]
  /** Records the payment; throws an ApiError when the server refuses it. */
  onSubmit: (body: PaymentIn) => Promise<void>
  onCancel: () => void
}) {
  const { t } = useI18n(messages)
  const [mode, setMode] = useState<PaymentMode>('new')
  const [account, setAccount] = useState('')
  const [amount, setAmount] = useState(invoice.open)
  const [rate, setRate] = useState('')
  const [date, setDate] = useState(today())
  const [transactionId, setTransactionId] = useState('')
  const [error, setError] = useState('')
  const [submitting, setSubmitting] = useState(false)
  const chosen = accounts.find((a) => a.id === account)
  const crossCurrency = !!chosen && chosen.currency !== invoice.currency

  const body = (): PaymentIn | string => {
    if (mode === 'existing') return transactionId ? { transaction_id: transactionId } : t('invoices.chooseTransaction')
    const a = normalizeAmountInput(amount)
    const r = normalizeAmountInput(rate)
    if (!account) return t('invoices.chooseMoneyAccount')
    if (!isDecimalString(a) || a.startsWith('-')) return t('validation.positive')
    if (crossCurrency && (!isDecimalString(r) || r.startsWith('-'))) return t('invoices.rateRequired')
    return { account_id: account, amount: a, date, currency: chosen?.currency, rate: crossCurrency ? r : null }
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const b = body()
    if (typeof b === 'string') return setError(b)
    setError('')
    setSubmitting(true)
    try {
      await onSubmit(b)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setSubmitting(false)
    }
  }

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate aria-label={t('invoices.paymentTitle')}>
      <Segmented
        label={t('invoices.paymentMode')}
        value={mode}
        onChange={(m) => {
          setMode(m)
          setError('')
        }}
        options={[
          { value: 'new', label: t('invoices.paymentMode.new') },
          { value: 'existing', label: t('invoices.paymentMode.existing') },
        ]}
      />
      {mode === 'new' ? (
        <>
          <FormField label={t('invoices.moneyAccount')}>
            <NativeSelect value={account} onChange={(e) => setAccount(e.target.value)}>
              <option value="">{t('tx.chooseAccount')}</option>
              <AccountOptions accounts={accounts.filter((a) => a.type === 'asset' || a.kind === 'card')} />
            </NativeSelect>
          </FormField>
          <div className="grid grid-cols-2 gap-3">
            <FormField label={t('invoices.paidAmount', { currency: chosen?.currency ?? invoice.currency })}>
              <Input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
            </FormField>
            <FormField label={t('common.date')}>
              <Input type="date" value={date} onChange={(e) => setDate(e.target.value)} />
            </FormField>
          </div>
          {crossCurrency && (
            <FormField label={t('invoices.rate', { invoice: invoice.currency, payment: chosen.currency })} hint={t('invoices.rateHint')}>
              <Input inputMode="decimal" value={rate} onChange={(e) => setRate(e.target.value)} />
            </FormField>
          )}
        </>
      ) : (
        <TransactionPicker
          invoice={invoice}
          value={transactionId}
          onChange={(id) => {
            setTransactionId(id)
            setError('')
          }}
          controlAccount={accounts.find((a) => a.id === invoice.control_account_id)?.name}
        />
      )}
      {error && (
        <Alert variant="destructive">
          <AlertDescription>{error}</AlertDescription>
        </Alert>
      )}
      <FormDialogFooter onCancel={onCancel} isSubmitting={submitting} submitLabel={mode === 'new' ? t('invoices.recordPayment') : t('invoices.applyTransaction')} />
    </form>
  )
}

/** The counterparty's posted transactions on the invoice's account, searched by description; one is picked. */
function TransactionPicker({ invoice, value, onChange, controlAccount }: { invoice: InvoiceDetail; value: string; onChange: (id: string) => void; controlAccount?: string }) {
  const { t, date, money } = useI18n(messages)
  const [search, setSearch] = useState('')
  const q = useDebounced(search.trim())
  const candidates = usePaymentCandidates({ counterparty_id: invoice.counterparty_id, account_id: invoice.control_account_id, q })
  const own = ownPostings(invoice)
  const items = (candidates.data?.items ?? []).filter((tx) => !own.has(tx.id))
  return (
    <div className="grid gap-3">
      <div className="relative">
        <Search className="text-muted-foreground pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2" aria-hidden />
        <Input className="pl-8" type="search" aria-label={t('invoices.searchTransactions')} placeholder={t('invoices.searchTransactions')} value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <fieldset className="grid gap-1" aria-busy={candidates.isFetching || undefined}>
        <legend className="text-muted-foreground mb-1 text-xs">{t('invoices.candidatesHint', { account: controlAccount ?? '—' })}</legend>
        {candidates.error ? (
          <p className="text-destructive text-sm">{errorText(candidates.error)}</p>
        ) : !candidates.data ? (
          <p className="text-muted-foreground text-sm">{t('common.loading')}</p>
        ) : items.length === 0 ? (
          <p className="text-muted-foreground text-sm" data-testid="no-candidates">
            {t('invoices.noCandidates')}
          </p>
        ) : (
          <ul className="grid max-h-64 gap-1 overflow-auto" data-testid="payment-candidates">
            {items.map((tx) => {
              const state = candidateState(tx, invoice)
              const settles = settledAmount(tx, invoice)
              const disabled = state !== 'ok'
              return (
                <li key={tx.id}>
                  <label
                    data-testid="payment-candidate"
                    className={cn(
                      'grid cursor-pointer grid-cols-[auto_6.5rem_1fr_auto] items-center gap-3 rounded-md border px-3 py-2 text-sm',
                      value === tx.id && 'border-primary bg-primary/5',
                      disabled && 'cursor-not-allowed opacity-60',
                    )}
                  >
                    <input type="radio" name="payment-transaction" value={tx.id} checked={value === tx.id} disabled={disabled} onChange={() => onChange(tx.id)} />
                    <span className="text-muted-foreground tabular-nums">{date(tx.date)}</span>
                    <span className="min-w-0">
                      <span className="block truncate">{tx.description}</span>
                      {disabled && <span className="text-muted-foreground block text-xs">{t(`invoices.candidate.${state}`)}</span>}
                    </span>
                    <span className="text-right font-medium tabular-nums">{settles ? money(settles, invoice.currency) : '—'}</span>
                  </label>
                </li>
              )
            })}
          </ul>
        )}
        {candidates.data && candidates.data.total > CANDIDATES_PAGE && (
          <p className="text-muted-foreground text-xs">{t('invoices.moreCandidates', { shown: CANDIDATES_PAGE, total: candidates.data.total })}</p>
        )}
      </fieldset>
    </div>
  )
}
