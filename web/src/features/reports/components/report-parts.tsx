import { useState, type ReactNode } from 'react'
import { Link } from 'react-router'

import { Money } from '@/components/money'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'

import { DRILL_PAGE, reportRates, useDrill } from '../accounting-api'
import { messages } from '../i18n'
import type { Drill, OnDrill } from '../lib/drill'

/** What the P&L, the balance sheet and the cash-flow report share: the frame, the currency choice, the rates used and drilling into a figure. */

/** A report figure that opens the postings behind it. */
export function Figure({ amount, currency, drill, title, onDrill }: { amount: string; currency: string; drill?: string | null; title: string; onDrill: OnDrill }) {
  const { t } = useI18n(messages)
  if (!drill) return <Money amount={amount} currency={currency} />
  return (
    <button type="button" className="hover:text-primary cursor-pointer underline decoration-dotted underline-offset-4" onClick={() => onDrill({ title, query: drill })} title={t('accReports.drill')} data-testid="drill-figure">
      <Money amount={amount} currency={currency} />
    </button>
  )
}

export function CurrencySelect({ value, onChange }: { value: string; onChange: (c: string) => void }) {
  const { t } = useI18n(messages)
  return (
    <div className="grid gap-1.5">
      <Label htmlFor="report-currency">{t('accReports.currency')}</Label>
      <NativeSelect id="report-currency" className="w-28" value={value} onChange={(e) => onChange(e.target.value)}>
        {CURRENCIES.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </NativeSelect>
    </div>
  )
}

export function RatesUsed({ rates: raw }: { rates: unknown[] }) {
  const rates = reportRates(raw)
  const { t, date } = useI18n(messages)
  if (rates.length === 0) return <p className="text-muted-foreground text-xs">{t('accReports.noRates')}</p>
  return (
    <details className="text-sm" data-testid="rates-used">
      <summary className="cursor-pointer font-medium">{t('accReports.ratesUsed', { n: rates.length })}</summary>
      <ul className="text-muted-foreground mt-2 grid gap-1 tabular-nums">
        {rates.map((r, i) => (
          <li key={i}>
            {date(r.day)}: 1 {r.pair.split('/')[0]} = {r.rate} {r.pair.split('/')[1]}
            {r.earlier && ` (${t('accReports.rateOf', { date: date(r.rate_date) })})`}
          </li>
        ))}
      </ul>
    </details>
  )
}

export function DrillDialog({ drill, currency, onClose }: { drill: Drill | null; currency: string; onClose: () => void }) {
  const { t, date } = useI18n(messages)
  const [offset, setOffset] = useState(0)
  const q = useDrill(drill?.query ?? null, offset)
  return (
    <Dialog open={!!drill} onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-4xl">
        <DialogHeader>
          <DialogTitle>{drill?.title}</DialogTitle>
          <DialogDescription>{t('accReports.drillDescription')}</DialogDescription>
        </DialogHeader>
        {q.error ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : !q.data ? (
          <LoadingState rows={4} />
        ) : (
          <div className="grid max-h-[60vh] gap-3 overflow-auto">
            <Table aria-label={t('accReports.postings')}>
              <TableHeader>
                <TableRow>
                  <TableHead>{t('common.date')}</TableHead>
                  <TableHead>{t('common.description')}</TableHead>
                  <TableHead className="text-right">{t('common.amount')}</TableHead>
                  <TableHead className="text-right">{t('accReports.value', { currency: q.data.currency })}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {q.data.items.map((p) => (
                  <TableRow key={`${p.transaction_id}-${p.leg}`} data-testid="drill-row">
                    <TableCell>{date(p.date)}</TableCell>
                    <TableCell>
                      <Link to={`/transactions/${p.transaction_id}`} className="text-primary underline-offset-4 hover:underline">
                        {p.description}
                      </Link>
                    </TableCell>
                    <TableCell className="text-right">
                      <Money amount={p.amount} currency={p.currency} />
                    </TableCell>
                    <TableCell className="text-right">
                      <Money amount={p.value} currency={q.data.currency} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
              <TableFooter>
                <TableRow>
                  <TableCell colSpan={3}>{t('accReports.sum', { n: q.data.total })}</TableCell>
                  <TableCell className="text-right" data-testid="drill-sum">
                    <Money amount={q.data.sum} currency={q.data.currency || currency} />
                  </TableCell>
                </TableRow>
              </TableFooter>
            </Table>
            {q.data.total > DRILL_PAGE && (
              <div className="flex justify-end gap-2">
                <Button size="sm" variant="outline" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - DRILL_PAGE))}>
                  {t('accReports.previousPage')}
                </Button>
                <Button size="sm" variant="outline" disabled={offset + DRILL_PAGE >= q.data.total} onClick={() => setOffset(offset + DRILL_PAGE)}>
                  {t('accReports.nextPage')}
                </Button>
              </div>
            )}
          </div>
        )}
      </DialogContent>
    </Dialog>
  )
}

export function Frame({ controls, children }: { controls: ReactNode; children: ReactNode }) {
  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-end gap-4">{controls}</div>
      {children}
    </div>
  )
}
