import Decimal from 'decimal.js'
import { TrendingUp } from 'lucide-react'
import { lazy, Suspense, useMemo, useState } from 'react'
import { Link } from 'react-router'

import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useI18n } from '@/lib/i18n'
import { currencyScale } from '@/lib/money'

import { useCurrentBalances, type Balance } from '../api'
import { TrafficCard } from '../components/traffic-card'

// Recharts is large: it loads with the chart, not with the app.
const BalanceChart = lazy(() => import('../components/balance-chart').then((m) => ({ default: m.BalanceChart })))

export default function DashboardPage() {
  const { t } = useI18n()
  const q = useCurrentBalances()
  const assets = useMemo(() => (q.data?.items ?? []).filter((b) => b.type === 'asset'), [q.data])
  const byCurrency = useMemo(() => {
    const m = new Map<string, Balance[]>()
    for (const b of assets) m.set(b.currency, [...(m.get(b.currency) ?? []), b])
    return [...m].sort(([a], [b]) => a.localeCompare(b))
  }, [assets])
  const [chartCurrency, setChartCurrency] = useState<string | null>(null)
  const shown = chartCurrency && byCurrency.some(([c]) => c === chartCurrency) ? chartCurrency : (byCurrency[0]?.[0] ?? null)

  return (
    <>
      <PageHeader title={t('nav.dashboard')} description={t('dashboard.description')} />
      {q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.isPending ? (
        <LoadingState rows={6} />
      ) : assets.length === 0 ? (
        <EmptyState title={t('dashboard.empty')}>
          <Link to="/accounts" className="text-primary text-sm underline">
            {t('dashboard.addAccounts')}
          </Link>
        </EmptyState>
      ) : (
        <div className="grid gap-6">
          <section aria-labelledby="totals" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <h2 id="totals" className="sr-only">
              {t('dashboard.totals')}
            </h2>
            {byCurrency.map(([currency, list]) => {
              const sum = list.reduce((s, b) => s.plus(b.balance), new Decimal(0)).toFixed(currencyScale(currency))
              return (
                <Card key={currency} className="gap-2 py-4" data-testid={`total-${currency}`}>
                  <CardHeader className="px-4">
                    <CardDescription>{t('dashboard.cashIn', { currency })}</CardDescription>
                    <CardTitle className="text-2xl">
                      <Money amount={sum} currency={currency} />
                    </CardTitle>
                  </CardHeader>
                  <CardContent className="text-muted-foreground px-4 text-xs">{t('dashboard.accountsCount', { count: list.length })}</CardContent>
                </Card>
              )
            })}
          </section>
          <div className="grid gap-6 lg:grid-cols-2">
            <Card>
              <CardHeader>
                <CardTitle>{t('dashboard.cashByAccount')}</CardTitle>
              </CardHeader>
              <CardContent>
                <Table>
                  <TableHeader>
                    <TableRow>
                      <TableHead>{t('tx.account')}</TableHead>
                      <TableHead>{t('common.currency')}</TableHead>
                      <TableHead className="text-right">{t('common.balance')}</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {assets.map((b) => (
                      <TableRow key={b.account_id} data-testid="dashboard-balance">
                        <TableCell>{b.name}</TableCell>
                        <TableCell>{b.currency}</TableCell>
                        <TableCell className="text-right">
                          <Money amount={b.balance} currency={b.currency} />
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                  <TableFooter>
                    {byCurrency.map(([currency, list]) => (
                      <TableRow key={currency}>
                        <TableCell colSpan={2}>{t('dashboard.total', { currency })}</TableCell>
                        <TableCell className="text-right">
                          <Money amount={list.reduce((s, b) => s.plus(b.balance), new Decimal(0)).toFixed(currencyScale(currency))} currency={currency} />
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableFooter>
                </Table>
              </CardContent>
            </Card>
            <Card>
              <CardHeader>
                <CardTitle>{t('dashboard.balanceChart')}</CardTitle>
                <CardDescription>{t('dashboard.chartHint')}</CardDescription>
                {byCurrency.length > 1 && (
                  <div role="tablist" aria-label={t('common.currency')} className="flex flex-wrap gap-1">
                    {byCurrency.map(([c]) => (
                      <Button key={c} role="tab" aria-selected={c === shown} size="sm" variant={c === shown ? 'default' : 'outline'} onClick={() => setChartCurrency(c)}>
                        {c}
                      </Button>
                    ))}
                  </div>
                )}
              </CardHeader>
              <CardContent>
                {shown && (
                  <Suspense fallback={<LoadingState rows={4} />}>
                    <BalanceChart currency={shown} balances={byCurrency.find(([c]) => c === shown)?.[1] ?? []} />
                  </Suspense>
                )}
              </CardContent>
            </Card>
          </div>
        </div>
      )}
      {/* Income and expenses over time still need a report API; no placeholder data. */}
      <div className="mt-6 grid gap-6 lg:grid-cols-2" data-testid="dashboard-reserved">
        <Card className="border-dashed">
          <CardHeader>
            <CardTitle className="flex items-center gap-2">
              <TrendingUp className="size-4" /> {t('dashboard.incomeExpense')}
            </CardTitle>
            <CardDescription>{t('dashboard.needsApi')}</CardDescription>
          </CardHeader>
        </Card>
        <TrafficCard />
      </div>
    </>
  )
}
