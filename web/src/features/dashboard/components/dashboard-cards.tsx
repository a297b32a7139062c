import { AlertTriangle, ArrowDownRight, ArrowUpRight, Briefcase, Clock, Landmark, Minus, Scale, TrendingUp } from 'lucide-react'
import { lazy, Suspense } from 'react'
import { Link } from 'react-router'

import { Money } from '@/components/money'
import { EmptyState, LoadingState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'
import { formatPercent } from '@/lib/money'
import { cn } from '@/lib/utils'

import { messages } from '../i18n'
import { change, MONTH_FIGURES, usedRates, notYetDue, overdueShare, riseIsGood, type Dashboard, type MonthFigure, type OpenFigures } from '../lib/dashboard'

// Recharts is large: it loads with the chart, not with the app.
const MonthChart = lazy(() => import('./month-chart').then((m) => ({ default: m.MonthChart })))

/** Cash per account in its own currency and valued in the report currency, and the total. */
export function CashCard({ d }: { d: Dashboard }) {
  const { t, date } = useI18n(messages)
  const rates = usedRates(d.rates)
  return (
    <Card data-testid="dashboard-cash">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Landmark className="size-4" /> {t('dashboard.cashByAccount')}
        </CardTitle>
        <CardDescription>{t('dashboard.cashHint', { currency: d.currency, date: date(d.today) })}</CardDescription>
      </CardHeader>
      <CardContent>
        {d.cash.length === 0 ? (
          <EmptyState title={t('dashboard.empty')}>
            <Link to="/accounts" className="text-primary text-sm underline">
              {t('dashboard.addAccounts')}
            </Link>
          </EmptyState>
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>{t('tx.account')}</TableHead>
                <TableHead className="text-right">{t('common.balance')}</TableHead>
                <TableHead className="text-right">{t('dashboard.valueIn', { currency: d.currency })}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {d.cash.map((a) => (
                <TableRow key={a.account_id} data-testid="dashboard-cash-row">
                  <TableCell>{a.name}</TableCell>
                  <TableCell className="text-right">
                    <Money amount={a.balance} currency={a.currency} />
                  </TableCell>
                  <TableCell className="text-right">
                    <Money amount={a.value} currency={d.currency} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
            <TableFooter>
              <TableRow>
                <TableCell colSpan={2}>{t('dashboard.cashTotal', { currency: d.currency })}</TableCell>
                <TableCell className="text-right" data-testid="dashboard-cash-total">
                  <Money amount={d.cash_total} currency={d.currency} />
                </TableCell>
              </TableRow>
            </TableFooter>
          </Table>
        )}
        {rates.length > 0 && (
          <p className="text-muted-foreground mt-2 text-xs" data-testid="dashboard-rates">
            {t('dashboard.ratesUsed')} {rates.map((r) => (r.date ? `${r.text} (${date(r.date)})` : r.text)).join('; ')}
          </p>
        )}
      </CardContent>
    </Card>
  )
}

/** The change of one figure: arrow, signed difference and percent; green when it is good news. */
export function ChangeBadge({ figure, current, previous, currency }: { figure: MonthFigure; current: string; previous: string; currency: string }) {
  const { money, locale } = useI18n(messages)
  const c = change(current, previous)
  const good = c.direction === 'flat' ? null : (c.direction === 'up') === riseIsGood(figure)
  const Icon = c.direction === 'up' ? ArrowUpRight : c.direction === 'down' ? ArrowDownRight : Minus
  return (
    <span className={cn('inline-flex items-center gap-1 tabular-nums whitespace-nowrap', good === true && 'text-emerald-600', good === false && 'text-red-600')} data-testid={`change-${figure}`}>
      <Icon className="size-3.5" aria-hidden />
      {money(c.delta, currency, { signed: true })}
      {c.percent !== null && <span className="text-xs">({formatPercent(c.percent, locale)})</span>}
    </span>
  )
}

/** This month so far against the whole of last month: income, expenses and profit, the change, and bars. */
export function MonthCard({ d }: { d: Dashboard }) {
  const { t, date, money } = useI18n(messages)
  const tm = d.this_month
  const lm = d.last_month
  return (
    <Card data-testid="dashboard-month">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <TrendingUp className="size-4" /> {t('dashboard.monthTitle')}
        </CardTitle>
        <CardDescription>{t('dashboard.monthHint', { from: date(tm.from), to: date(tm.to), lastFrom: date(lm.from), lastTo: date(lm.to) })}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead />
              <TableHead className="text-right">{t('dashboard.thisMonth')}</TableHead>
              <TableHead className="text-right">{t('dashboard.lastMonth')}</TableHead>
              <TableHead className="text-right">{t('dashboard.change')}</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {MONTH_FIGURES.map((f) => (
              <TableRow key={f} data-testid={`month-${f}`}>
                <TableCell className="font-medium">{t(`dashboard.figure.${f}`)}</TableCell>
                <TableCell className="text-right">
                  <Money amount={tm[f]} currency={d.currency} />
                </TableCell>
                <TableCell className="text-right">
                  <Money amount={lm[f]} currency={d.currency} />
                </TableCell>
                <TableCell className="text-right">
                  <ChangeBadge figure={f} current={tm[f]} previous={lm[f]} currency={d.currency} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <figure aria-label={t('dashboard.monthChart')} data-testid="dashboard-month-chart">
          <Suspense fallback={<LoadingState rows={3} />}>
            <MonthChart thisMonth={tm} lastMonth={lm} currency={d.currency} />
          </Suspense>
          <figcaption className="sr-only">
            {MONTH_FIGURES.map((f) => `${t(`dashboard.figure.${f}`)}: ${money(tm[f], d.currency)} / ${money(lm[f], d.currency)}`).join('; ')}
          </figcaption>
        </figure>
      </CardContent>
    </Card>
  )
}

function OpenBlock({ side, o, currency }: { side: 'receivables' | 'payables'; o: OpenFigures; currency: string }) {
  const { t, locale } = useI18n(messages)
  const share = overdueShare(o)
  return (
    <div className="grid gap-1 rounded-lg border p-3" data-testid={`dashboard-${side}`}>
      <div className="text-muted-foreground text-sm">{t(`dashboard.${side}`)}</div>
      <div className="text-2xl font-semibold" data-testid={`${side}-open`}>
        <Money amount={o.open} currency={currency} />
      </div>
      <div className="text-muted-foreground text-xs">{t('dashboard.invoicesCount', { count: o.invoices })}</div>
      <dl className="mt-1 grid grid-cols-2 gap-2 text-sm">
        <div>
          <dt className="text-muted-foreground flex items-center gap-1 text-xs">
            <AlertTriangle className="size-3" aria-hidden /> {t('dashboard.overduePart')}
          </dt>
          <dd className={cn('font-medium', o.overdue_invoices > 0 && 'text-red-600')} data-testid={`${side}-overdue`}>
            <Money amount={o.overdue} currency={currency} />
            <span className="text-muted-foreground ml-1 text-xs">
              {t('dashboard.overdueCount', { count: o.overdue_invoices })}
              {share !== null && ` · ${formatPercent(share, locale, 0)}`}
            </span>
          </dd>
        </div>
        <div>
          <dt className="text-muted-foreground text-xs">{t('dashboard.notYetDue')}</dt>
          <dd className="font-medium">
            <Money amount={notYetDue(o)} currency={currency} />
          </dd>
        </div>
      </dl>
    </div>
  )
}

/** What customers owe and what is owed to suppliers, with the overdue part. */
export function OpenCard({ d }: { d: Dashboard }) {
  const { t } = useI18n(messages)
  return (
    <Card data-testid="dashboard-open">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Scale className="size-4" /> {t('dashboard.openTitle')}
        </CardTitle>
        <CardDescription>{t('dashboard.openHint', { currency: d.currency })}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3 sm:grid-cols-2">
        <OpenBlock side="receivables" o={d.receivables} currency={d.currency} />
        <OpenBlock side="payables" o={d.payables} currency={d.currency} />
      </CardContent>
    </Card>
  )
}

/** The oldest overdue invoices, each a link to its page. */
export function OverdueCard({ d }: { d: Dashboard }) {
  const { t, date } = useI18n(messages)
  return (
    <Card data-testid="dashboard-overdue">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Clock className="size-4" /> {t('dashboard.overdueTitle')}
        </CardTitle>
        <CardDescription>{t('dashboard.overdueHint')}</CardDescription>
      </CardHeader>
      <CardContent>
        {d.overdue.length === 0 ? (
          <EmptyState title={t('dashboard.noOverdue')} />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>{t('dashboard.invoice')}</TableHead>
                <TableHead>{t('dashboard.counterparty')}</TableHead>
                <TableHead>{t('dashboard.dueDate')}</TableHead>
                <TableHead className="text-right">{t('dashboard.openAmount')}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {d.overdue.map((i) => (
                <TableRow key={i.id} data-testid="dashboard-overdue-row">
                  <TableCell>
                    <Link to={`/invoices/${i.id}`} className="text-primary underline-offset-2 hover:underline">
                      {i.number || t('dashboard.noNumber')}
                    </Link>{' '}
                    <Badge variant="outline" className="ml-1">
                      {t(i.direction === 'payable' ? 'dashboard.payable' : 'dashboard.receivable')}
                    </Badge>
                  </TableCell>
                  <TableCell>{i.counterparty ?? '—'}</TableCell>
                  <TableCell className="whitespace-nowrap">
                    {date(i.due_date)} <span className="text-xs text-red-600">{t('dashboard.daysOverdue', { days: i.days_overdue })}</span>
                  </TableCell>
                  <TableCell className="text-right">
                    <Money amount={i.open} currency={i.currency} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  )
}

/** This month's projects by profit, best first. */
export function ProjectsCard({ d }: { d: Dashboard }) {
  const { t } = useI18n(messages)
  return (
    <Card data-testid="dashboard-projects">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Briefcase className="size-4" /> {t('dashboard.projectsTitle')}
        </CardTitle>
        <CardDescription>{t('dashboard.projectsHint')}</CardDescription>
      </CardHeader>
      <CardContent>
        {d.top_projects.length === 0 ? (
          <EmptyState title={t('dashboard.noProjects')} />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>{t('dashboard.project')}</TableHead>
                {MONTH_FIGURES.map((f) => (
                  <TableHead key={f} className="text-right">
                    {t(`dashboard.figure.${f}`)}
                  </TableHead>
                ))}
              </TableRow>
            </TableHeader>
            <TableBody>
              {d.top_projects.map((p) => (
                <TableRow key={p.project_id ?? 'none'} data-testid="dashboard-project-row">
                  <TableCell>{p.project_id ? (p.name ?? p.project_id) : <span className="text-muted-foreground">{t('dashboard.noProject')}</span>}</TableCell>
                  {MONTH_FIGURES.map((f) => (
                    <TableCell key={f} className="text-right">
                      <Money amount={p[f]} currency={d.currency} />
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  )
}

/** The server found no exchange rate to value something in the report currency: say which, and where to enter it. */
export function MissingRate({ message, onRetry }: { message: string; onRetry: () => void }) {
  const { t } = useI18n(messages)
  return (
    <div role="alert" className="flex flex-col items-center gap-2 rounded-lg border border-amber-500/50 py-8 text-center" data-testid="dashboard-missing-rate">
      <AlertTriangle className="size-8 text-amber-600" aria-hidden />
      <p className="font-medium">{t('dashboard.missingRate')}</p>
      <p className="text-muted-foreground text-sm">{message}</p>
      <div className="flex gap-2">
        <Link to="/rates" className="text-primary text-sm underline">
          {t('dashboard.enterRate')}
        </Link>
        <button type="button" className="text-sm underline" onClick={onRetry}>
          {t('common.retry')}
        </button>
      </div>
    </div>
  )
}
