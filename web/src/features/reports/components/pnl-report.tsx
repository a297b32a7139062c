import { useMemo, useState } from 'react'
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

import { Money } from '@/components/money'
import { PeriodPicker } from '@/components/period-picker'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'
import { presetRange } from '@/lib/periods'
import { today } from '@/lib/utils'

import { COMPARES, usePnl, type Compare, type Pnl } from '../accounting-api'
import { messages } from '../i18n'
import { useDrillState } from '../lib/drill'
import { isPnlDim, keyLabel, PNL_DIMS, pnlChart, type PnlDim } from '../lib/pnl'
import { CurrencySelect, DrillDialog, Figure, Frame, RatesUsed } from './report-parts'

/** Whether adjustments of closed months dated in the period contribute anything. */
const hasAdjustments = (p: Pnl) => [p.adjustments.income, p.adjustments.expenses].some((v) => Number(v) !== 0)

/** Group by one or two dimensions: the first one, then optionally another. */
function GroupBySelect({ value, onChange }: { value: PnlDim[]; onChange: (dims: PnlDim[]) => void }) {
  const { t } = useI18n(messages)
  const [first, second] = value
  return (
    <>
      <div className="grid gap-1.5">
        <Label htmlFor="pnl-group-1">{t('accReports.groupBy')}</Label>
        <NativeSelect id="pnl-group-1" className="w-40" value={first} onChange={(e) => onChange([e.target.value as PnlDim, ...(second && second !== e.target.value ? [second] : [])])}>
          {PNL_DIMS.map((d) => (
            <option key={d} value={d}>
              {t(`accReports.dim.${d}`)}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="pnl-group-2">{t('accReports.thenBy')}</Label>
        <NativeSelect id="pnl-group-2" className="w-40" value={second ?? ''} onChange={(e) => onChange(e.target.value ? [first, e.target.value as PnlDim] : [first])}>
          <option value="">{t('accReports.dim.none')}</option>
          {PNL_DIMS.filter((d) => d !== first).map((d) => (
            <option key={d} value={d}>
              {t(`accReports.dim.${d}`)}
            </option>
          ))}
        </NativeSelect>
      </div>
    </>
  )
}

/** Profit and loss, grouped by the dimensions of `groupBy` (kept in the URL by the page). */
export function PnlReport({ groupBy, onGroupByChange }: { groupBy: PnlDim[]; onGroupByChange: (dims: PnlDim[]) => void }) {
  const { t, date } = useI18n(messages)
  const [range, setRange] = useState(() => presetRange('last90', today()))
  const [currency, setCurrency] = useState('USD')
  const [compare, setCompare] = useState<Compare>('')
  const [drill, onDrill, closeDrill] = useDrillState()
  const q = usePnl({ ...range, currency, compare, groupBy })
  const none = t('accReports.none')
  const chart = useMemo(() => (q.data ? pnlChart(q.data, none) : []), [q.data, none])
  const controls = (
    <>
      <PeriodPicker from={range.from} to={range.to} onChange={setRange} />
      <CurrencySelect value={currency} onChange={setCurrency} />
      <GroupBySelect value={groupBy} onChange={onGroupByChange} />
      <div className="grid gap-1.5">
        <Label htmlFor="pnl-compare">{t('accReports.compare')}</Label>
        <NativeSelect id="pnl-compare" className="w-48" value={compare} onChange={(e) => setCompare(e.target.value as Compare)}>
          {COMPARES.map((c) => (
            <option key={c} value={c}>
              {t(`accReports.compareTo.${c || 'none'}`)}
            </option>
          ))}
        </NativeSelect>
      </div>
    </>
  )
  if (q.error) return <Frame controls={controls}>{<ErrorState error={q.error} onRetry={() => void q.refetch()} />}</Frame>
  if (!q.data) return <Frame controls={controls}>{<LoadingState />}</Frame>
  const p = q.data
  const cur = p.currency
  const label = (r: (typeof p.rows)[number]) => r.keys.map((k) => keyLabel(k, none)).join(' · ') || t('accReports.total')
  // The answer's own grouping: while a new one loads, the previous rows keep their header.
  const groupHeader = p.group_by.map((d) => (isPnlDim(d) ? t(`accReports.dim.${d}`) : d)).join(' · ')
  return (
    <Frame controls={controls}>
      {p.comparison && (
        <p className="text-muted-foreground text-sm">{t('accReports.comparedWith', { from: date(p.comparison.from), to: date(p.comparison.to) })}</p>
      )}
      {p.rows.length === 0 ? (
        <EmptyState title={t('accReports.noPostings')} />
      ) : (
        <>
          <figure aria-label={t('accReports.pnlChart')} className="h-72 rounded-md border p-2" data-testid="pnl-chart">
            <ResponsiveContainer width="100%" height="100%">
              <ComposedChart data={chart} margin={{ top: 8, right: 16, left: 8, bottom: 8 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="label" tick={{ fontSize: 12 }} />
                <YAxis tick={{ fontSize: 12 }} />
                <Tooltip />
                <Legend />
                <Bar dataKey="income" name={t('accReports.income')} fill="var(--color-chart-2)" isAnimationActive={false} />
                <Bar dataKey="expenses" name={t('accReports.expenses')} fill="var(--color-chart-1)" isAnimationActive={false} />
                <Line dataKey="profit" name={t('accReports.profit')} stroke="var(--color-chart-4)" strokeWidth={2} isAnimationActive={false} />
              </ComposedChart>
            </ResponsiveContainer>
          </figure>
          <div className="rounded-md border">
            <Table aria-label={t('accReports.pnl')}>
              <TableHeader>
                <TableRow>
                  <TableHead data-testid="pnl-group-header">{groupHeader}</TableHead>
                  <TableHead className="text-right">{t('accReports.income')}</TableHead>
                  <TableHead className="text-right">{t('accReports.expenses')}</TableHead>
                  <TableHead className="text-right">{t('accReports.profit')}</TableHead>
                  {p.comparison && <TableHead className="text-right">{t('accReports.previousProfit')}</TableHead>}
                  {p.comparison && <TableHead className="text-right">{t('accReports.change')}</TableHead>}
                </TableRow>
              </TableHeader>
              <TableBody>
                {p.rows.map((r, i) => (
                  <TableRow key={i} data-testid="pnl-row">
                    <TableCell>{label(r)}</TableCell>
                    <TableCell className="text-right">
                      <Figure amount={r.income} currency={cur} drill={`${r.drill}&account_type=income`} title={`${t('accReports.income')}: ${label(r)}`} onDrill={onDrill} />
                    </TableCell>
                    <TableCell className="text-right">
                      <Figure amount={r.expenses} currency={cur} drill={`${r.drill}&account_type=expense`} title={`${t('accReports.expenses')}: ${label(r)}`} onDrill={onDrill} />
                    </TableCell>
                    <TableCell className="text-right font-medium">
                      <Money amount={r.profit} currency={cur} />
                    </TableCell>
                    {p.comparison && (
                      <TableCell className="text-right">
                        <Money amount={r.previous?.profit} currency={cur} />
                      </TableCell>
                    )}
                    {p.comparison && (
                      <TableCell className="text-right">
                        <Money amount={r.change?.profit} currency={cur} signed />
                      </TableCell>
                    )}
                  </TableRow>
                ))}
              </TableBody>
              <TableFooter>
                <TableRow>
                  <TableCell>{t('accReports.total')}</TableCell>
                  <TableCell className="text-right">
                    <Money amount={p.totals.income} currency={cur} />
                  </TableCell>
                  <TableCell className="text-right">
                    <Money amount={p.totals.expenses} currency={cur} />
                  </TableCell>
                  <TableCell className="text-right" data-testid="pnl-profit">
                    <Money amount={p.totals.profit} currency={cur} />
                  </TableCell>
                  {p.comparison && (
                    <TableCell className="text-right">
                      <Money amount={p.previous_totals?.profit} currency={cur} />
                    </TableCell>
                  )}
                  {p.comparison && (
                    <TableCell className="text-right">
                      <Money amount={p.change_totals?.profit} currency={cur} signed />
                    </TableCell>
                  )}
                </TableRow>
                {hasAdjustments(p) && (
                  <TableRow data-testid="pnl-adjustments">
                    <TableCell className="text-muted-foreground font-normal">{t('accReports.ofWhichAdjustments')}</TableCell>
                    <TableCell className="text-right font-normal">
                      <Figure amount={p.adjustments.income} currency={cur} drill={`${p.adjustments.drill}&account_type=income`} title={`${t('accReports.income')}: ${t('accReports.ofWhichAdjustments')}`} onDrill={onDrill} />
                    </TableCell>
                    <TableCell className="text-right font-normal">
                      <Figure amount={p.adjustments.expenses} currency={cur} drill={`${p.adjustments.drill}&account_type=expense`} title={`${t('accReports.expenses')}: ${t('accReports.ofWhichAdjustments')}`} onDrill={onDrill} />
                    </TableCell>
                    <TableCell className="text-right font-normal">
                      <Money amount={p.adjustments.profit} currency={cur} />
                    </TableCell>
                    {p.comparison && <TableCell />}
                    {p.comparison && <TableCell />}
                  </TableRow>
                )}
              </TableFooter>
            </Table>
          </div>
        </>
      )}
      <RatesUsed rates={p.rates} />
      <DrillDialog drill={drill} currency={cur} onClose={closeDrill} />
    </Frame>
  )
}
