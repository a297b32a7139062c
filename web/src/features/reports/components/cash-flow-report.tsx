import { useState } from 'react'

import { Money } from '@/components/money'
import { PeriodPicker } from '@/components/period-picker'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'
import { presetRange } from '@/lib/periods'
import { today } from '@/lib/utils'

import { useCashFlow } from '../accounting-api'
import { messages } from '../i18n'
import { useDrillState } from '../lib/drill'
import { CurrencySelect, DrillDialog, Figure, Frame, RatesUsed } from './report-parts'

export function CashFlowReport() {
  const { t } = useI18n(messages)
  const [range, setRange] = useState(() => presetRange('thisMonth', today()))
  const [currency, setCurrency] = useState('USD')
  const [drill, onDrill, closeDrill] = useDrillState()
  const q = useCashFlow({ ...range, currency })
  const controls = (
    <>
      <PeriodPicker from={range.from} to={range.to} onChange={setRange} />
      <CurrencySelect value={currency} onChange={setCurrency} />
    </>
  )
  if (q.error) return <Frame controls={controls}>{<ErrorState error={q.error} onRetry={() => void q.refetch()} />}</Frame>
  if (!q.data) return <Frame controls={controls}>{<LoadingState />}</Frame>
  const c = q.data
  const cur = c.currency
  const summary: [string, string][] = [
    [t('accReports.opening'), c.opening],
    [t('accReports.inflows'), c.inflows],
    [t('accReports.outflows'), c.outflows],
    [t('accReports.net'), c.net],
    [t('accReports.exchangeEffect'), c.exchange_effect],
    [t('accReports.closing'), c.closing],
  ]
  return (
    <Frame controls={controls}>
      <dl className="grid grid-cols-2 gap-3 text-sm md:grid-cols-6">
        {summary.map(([k, v]) => (
          <div key={k} className="rounded-md border p-3">
            <dt className="text-muted-foreground">{k}</dt>
            <dd className="font-medium">
              <Money amount={v} currency={cur} />
            </dd>
          </div>
        ))}
      </dl>
      {c.lines.length === 0 ? (
        <EmptyState title={t('accReports.noPostings')} />
      ) : (
        <div className="rounded-md border">
          <Table aria-label={t('accReports.cashFlow')}>
            <TableHeader>
              <TableRow>
                <TableHead>{t('tx.category')}</TableHead>
                <TableHead className="text-right">{t('accReports.inflows')}</TableHead>
                <TableHead className="text-right">{t('accReports.outflows')}</TableHead>
                <TableHead className="text-right">{t('accReports.net')}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {c.lines.map((l, i) => {
                const name = l.transfer ? t('accReports.transfers') : (l.category ?? t('accReports.none'))
                return (
                  <TableRow key={i} data-testid="cash-line">
                    <TableCell>
                      {l.month ? `${l.month.slice(0, 7)} · ` : ''}
                      {name}
                    </TableCell>
                    <TableCell className="text-right">
                      <Figure amount={l.inflow} currency={cur} drill={`${l.drill}&direction=in`} title={`${t('accReports.inflows')}: ${name}`} onDrill={onDrill} />
                    </TableCell>
                    <TableCell className="text-right">
                      <Figure amount={l.outflow} currency={cur} drill={`${l.drill}&direction=out`} title={`${t('accReports.outflows')}: ${name}`} onDrill={onDrill} />
                    </TableCell>
                    <TableCell className="text-right font-medium">
                      <Money amount={l.net} currency={cur} />
                    </TableCell>
                  </TableRow>
                )
              })}
            </TableBody>
          </Table>
        </div>
      )}
      <RatesUsed rates={c.rates} />
      <DrillDialog drill={drill} currency={cur} onClose={closeDrill} />
    </Frame>
  )
}
