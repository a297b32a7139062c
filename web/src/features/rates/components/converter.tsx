import { ArrowRight } from 'lucide-react'
import { useState, type FormEvent } from 'react'

import { DateField } from '@/components/date-field'
import { Spinner } from '@/components/states'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { useI18n } from '@/lib/i18n'
import { formatDecimal, isDecimalString, normalizeAmountInput } from '@/lib/money'

import { useConversion, type ConvertQuery } from '../api'
import { messages } from '../i18n'
import { CurrencyOptions } from './currency-options'

/** Converts an amount on a day, showing the rate used and whether it was an earlier day's. */
export function Converter() {
  const { t, money, date, locale } = useI18n(messages)
  const [amount, setAmount] = useState('100')
  const [from, setFrom] = useState('EUR')
  const [to, setTo] = useState('USD')
  const [day, setDay] = useState('')
  const [query, setQuery] = useState<ConvertQuery | null>(null)
  const [invalid, setInvalid] = useState(false)
  const q = useConversion(query)

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const a = normalizeAmountInput(amount)
    if (!isDecimalString(a)) {
      setInvalid(true)
      return
    }
    setInvalid(false)
    setQuery({ amount: a, from, to, date: day || undefined })
  }

  return (
    <form onSubmit={submit} noValidate aria-label={t('rates.converter')} className="grid gap-3">
      <div className="flex flex-wrap items-end gap-2">
        <div className="grid gap-1.5">
          <Label htmlFor="cv-amount">{t('common.amount')}</Label>
          <Input
            id="cv-amount"
            className="w-32"
            inputMode="decimal"
            value={amount}
            aria-invalid={invalid || undefined}
            aria-describedby={invalid ? 'cv-amount-error' : undefined}
            onChange={(e) => setAmount(e.target.value)}
          />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="cv-from">{t('rates.from')}</Label>
          <NativeSelect id="cv-from" className="w-24" value={from} onChange={(e) => setFrom(e.target.value)}>
            <CurrencyOptions />
          </NativeSelect>
        </div>
        <ArrowRight className="text-muted-foreground mb-2.5 size-4" aria-hidden />
        <div className="grid gap-1.5">
          <Label htmlFor="cv-to">{t('rates.to')}</Label>
          <NativeSelect id="cv-to" className="w-24" value={to} onChange={(e) => setTo(e.target.value)}>
            <CurrencyOptions />
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="cv-date">{t('rates.onDate')}</Label>
          <DateField id="cv-date" className="w-40" value={day} onChange={setDay} />
        </div>
        <Button type="submit" disabled={q.isFetching}>
          {q.isFetching && <Spinner />}
          {t('rates.convert')}
        </Button>
      </div>
      {invalid && (
        <p id="cv-amount-error" role="alert" className="text-destructive text-sm">
          {t('validation.amount')}
        </p>
      )}
      {q.error ? (
        <Alert variant="destructive">
          <AlertDescription>{q.error.message}</AlertDescription>
        </Alert>
      ) : (
        q.data && (
          <div className="bg-muted/50 grid gap-1 rounded-md p-3" data-testid="conversion" aria-live="polite">
            <div className="text-lg font-semibold tabular-nums" data-testid="converted">
              {money(q.data.amount, q.data.from)} = {money(q.data.converted, q.data.to)}
            </div>
            <div className="text-muted-foreground text-sm" data-testid="rate-used">
              {t('rates.rateUsed', { rate: formatDecimal(q.data.rate, locale), date: date(q.data.rate_date) })}
            </div>
            {q.data.earlier_rate && (
              <div className="text-sm text-amber-800" data-testid="earlier-rate">
                {t('rates.earlierRate', { date: date(q.data.date) })}
              </div>
            )}
          </div>
        )
      )}
    </form>
  )
}
