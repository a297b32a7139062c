import { lazy, Suspense, useState } from 'react'

import { Money } from '@/components/money'
import { PeriodPicker } from '@/components/period-picker'
import { Segmented } from '@/components/segmented'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES, formatPercent } from '@/lib/money'
import { presetRange } from '@/lib/periods'
import { today } from '@/lib/utils'

import { PROFIT_GROUPS, useProfitability, type ProfitabilityRow, type ProfitGroup } from '../api'
import { messages } from '../i18n'
import { topBySpend } from '../lib/profitability'

// Recharts is big: loaded only when the chart is shown.
const ProfitChart = lazy(() => import('./profit-chart').then((m) => ({ default: m.ProfitChart })))

const FIGURES = ['spend', 'revenue', 'payouts_approved', 'payouts_received', 'profit', 'tracker_profit'] as const
const LABELS = {
  spend: 'profit.spend',
  revenue: 'profit.revenue',
  payouts_approved: 'profit.payoutsApproved',
  payouts_received: 'profit.payoutsReceived',
  profit: 'profit.profit',
  tracker_profit: 'profit.trackerProfit',
} as const

export function ProfitabilityReport() {
  const { t, locale } = useI18n(messages)
  const [range, setRange] = useState(() => presetRange('lastMonth', today()))
  const [groupBy, setGroupBy] = useState<ProfitGroup>('campaign')
  const [currency, setCurrency] = useState('USD')
  const q = useProfitability({ ...range, group_by: groupBy, currency })
  const nameOf = (r: ProfitabilityRow) => r.name ?? (r.id ? r.id.slice(0, 8) : t('profit.unmatched', { group: t(`profit.group.${groupBy}`).toLowerCase() }))
  const bars = q.data ? topBySpend(q.data.rows).map((row) => ({ label: nameOf(row), row })) : []
  const roi = (v: string | null | undefined) => (v === null || v === undefined ? '—' : formatPercent(v, locale))

  return (
    <div className="grid gap-6">
      <div className="flex flex-wrap items-end gap-4">
        <PeriodPicker from={range.from} to={range.to} onChange={setRange} />
        <div className="grid gap-1.5">
          <span className="text-sm font-medium">{t('profit.groupBy')}</span>
          <Segmented label={t('profit.groupBy')} value={groupBy} onChange={setGroupBy} options={PROFIT_GROUPS.map((g) => ({ value: g, label: t(`profit.group.${g}`) }))} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="profit-currency">{t('common.currency')}</Label>
          <NativeSelect id="profit-currency" className="w-28" value={currency} onChange={(e) => setCurrency(e.target.value)}>
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </NativeSelect>
        </div>
      </div>
      <p className="text-muted-foreground -mt-3 text-sm">{t('profit.hint', { currency })}</p>
      {q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.isPending ? (
        <LoadingState />
      ) : q.data.rows.length === 0 ? (
        <EmptyState title={t('profit.empty')} />
      ) : (
        <>
          <Suspense fallback={<LoadingState rows={3} />}>
            <ProfitChart bars={bars} currency={q.data.currency} />
          </Suspense>
          <div className={q.isFetching ? 'rounded-md border opacity-60' : 'rounded-md border'}>
            <Table aria-label={t('reports.profitability')} data-testid="profit-table">
              <TableHeader>
                <TableRow>
                  <TableHead>{t(`profit.group.${groupBy}`)}</TableHead>
                  {FIGURES.map((f) => (
                    <TableHead key={f} className="text-right">
                      {t(LABELS[f])}
                    </TableHead>
                  ))}
                  <TableHead className="text-right">{t('profit.roi')}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {q.data.rows.map((r, i) => (
                  <TableRow key={r.id ?? `none-${i}`} data-testid="profit-row">
                    <TableCell className={r.id ? 'font-medium' : 'text-muted-foreground italic'}>{nameOf(r)}</TableCell>
                    {FIGURES.map((f) => (
                      <TableCell key={f} className="text-right">
                        <Money amount={r[f]} currency={q.data.currency} />
                      </TableCell>
                    ))}
                    <TableCell className="text-right tabular-nums">{roi(r.roi)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
              <TableFooter>
                <TableRow>
                  <TableCell>{t('profit.total')}</TableCell>
                  {FIGURES.map((f) => (
                    <TableCell key={f} className="text-right" data-testid={`profit-total-${f}`}>
                      <Money amount={q.data.totals[f]} currency={q.data.currency} />
                    </TableCell>
                  ))}
                  <TableCell className="text-right tabular-nums" data-testid="profit-total-roi">
                    {roi(q.data.totals.roi)}
                  </TableCell>
                </TableRow>
              </TableFooter>
            </Table>
          </div>
        </>
      )}
    </div>
  )
}
