import { CheckCircle2, XCircle } from 'lucide-react'
import { useState } from 'react'

import { DateField } from '@/components/date-field'
import { Money } from '@/components/money'
import { ErrorState, LoadingState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Label } from '@/components/ui/label'
import { Table, TableBody, TableCell, TableFooter, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'

import { useBalanceSheet } from '../accounting-api'
import { messages } from '../i18n'
import { useDrillState } from '../lib/drill'
import { CurrencySelect, DrillDialog, Figure, Frame, RatesUsed } from './report-parts'

export function BalanceSheetReport() {
  const { t } = useI18n(messages)
  const [asOf, setAsOf] = useState('')
  const [currency, setCurrency] = useState('USD')
  const [drill, onDrill, closeDrill] = useDrillState()
  const q = useBalanceSheet({ asOf, currency })
  const controls = (
    <>
      <div className="grid gap-1.5">
        <Label htmlFor="sheet-as-of">{t('reports.asOf')}</Label>
        <DateField id="sheet-as-of" className="w-44" value={asOf} onChange={setAsOf} />
      </div>
      <CurrencySelect value={currency} onChange={setCurrency} />
    </>
  )
  if (q.error) return <Frame controls={controls}>{<ErrorState error={q.error} onRetry={() => void q.refetch()} />}</Frame>
  if (!q.data) return <Frame controls={controls}>{<LoadingState />}</Frame>
  const b = q.data
  const sections = [
    ['assets', b.assets],
    ['liabilities', b.liabilities],
    ['equity', b.equity],
  ] as const
  return (
    <Frame controls={controls}>
      <div>
        {b.balanced ? (
          <Badge variant="secondary" className="text-green-700" data-testid="sheet-balanced">
            <CheckCircle2 /> {t('accReports.balanced')}
          </Badge>
        ) : (
          <Badge variant="destructive" data-testid="sheet-balanced">
            <XCircle /> {t('accReports.unbalanced', { difference: b.difference })}
          </Badge>
        )}
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        {sections.map(([key, s]) => (
          <section key={key} className="rounded-md border" aria-label={t(`accReports.section.${key}`)}>
            <h2 className="border-b px-3 py-2 font-medium">{t(`accReports.section.${key}`)}</h2>
            <Table>
              <TableBody>
                {s.lines.map((l, i) => (
                  <TableRow key={`${l.account_id ?? l.name}-${i}`} className={l.account_id ? undefined : 'bg-amber-50 italic'} data-testid={l.account_id ? 'sheet-line' : 'sheet-computed'}>
                    <TableCell>
                      {l.name}
                      {l.currency !== b.currency && (
                        <span className="text-muted-foreground block text-xs">
                          <Money amount={l.balance} currency={l.currency} />
                        </span>
                      )}
                    </TableCell>
                    <TableCell className="text-right">
                      <Figure amount={l.value} currency={b.currency} drill={l.drill} title={l.name} onDrill={onDrill} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
              <TableFooter>
                <TableRow>
                  <TableCell>{t('accReports.total')}</TableCell>
                  <TableCell className="text-right">
                    <Money amount={s.total} currency={b.currency} />
                  </TableCell>
                </TableRow>
              </TableFooter>
            </Table>
          </section>
        ))}
      </div>
      <RatesUsed rates={b.rates} />
      <DrillDialog drill={drill} currency={b.currency} onClose={closeDrill} />
    </Frame>
  )
}
