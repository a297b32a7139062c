import { CheckCircle2, XCircle } from 'lucide-react'
import { useMemo, useState, type ReactNode } from 'react'
import { Link } from 'react-router'
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

import { DateField } from '@/components/date-field'
import { Money } from '@/components/money'
import { PeriodPicker } from '@/components/period-picker'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'
import { presetRange } from '@/lib/periods'
import { today } from '@/lib/utils'

import { COMPARES, DRILL_PAGE, useBalanceSheet, useCashFlow, useDrill, usePnl, reportRates, type Compare, type Pnl } from '../accounting-api'
import { isPnlDim, keyLabel, PNL_DIMS, pnlChart, type PnlDim } from '../lib/pnl'

interface Drill {
  title: string
  query: string
}
type OnDrill = (d: Drill) => void

/** A report figure that opens the postings behind it. */
/** Whether adjustments of closed months dated in the period contribute anything. */
const hasAdjustments = (p: Pnl) => [p.adjustments.income, p.adjustments.expenses].some((v) => Number(v) !== 0)

function Figure({ amount, currency, drill, title, onDrill }: { amount: string; currency: string; drill?: string | null; title: string; onDrill: OnDrill }) {
  const { t } = useI18n()
  if (!drill) return <Money amount={amount} currency={currency} />
  return (
    <button type="button" className="hover:text-primary cursor-pointer underline decoration-dotted underline-offset-4" onClick={() => onDrill({ title, query: drill })} title={t('accReports.drill')} data-testid="drill-figure">
      <Money amount={amount} currency={currency} />
    </button>
  )
}

function CurrencySelect({ value, onChange }: { value: string; onChange: (c: string) => void }) {
  const { t } = useI18n()
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

function RatesUsed({ rates: raw }: { rates: unknown[] }) {
  const rates = reportRates(raw)
  const { t, date } = useI18n()
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

function DrillDialog({ drill, currency, onClose }: { drill: Drill | null; currency: string; onClose: () => void }) {
  const { t, date } = useI18n()
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

function useDrillState(): [Drill | null, OnDrill, () => void] {
  const [drill, setDrill] = useState<Drill | null>(null)
  return [drill, setDrill, () => setDrill(null)]
}

function Frame({ controls, children }: { controls: ReactNode; children: ReactNode }) {
  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-end gap-4">{controls}</div>
      {children}
    </div>
  )
}

/** Group by one or two dimensions: the first one, then optionally another. */
function GroupBySelect({ value, onChange }: { value: PnlDim[]; onChange: (dims: PnlDim[]) => void }) {
  const { t } = useI18n()
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
  const { t, date } = useI18n()
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

export function BalanceSheetReport() {
  const { t } = useI18n()
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

export function CashFlowReport() {
  const { t } = useI18n()
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
