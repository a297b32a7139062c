import { BarChart3 } from 'lucide-react'
import { lazy, Suspense, useMemo, useState } from 'react'
import { Link } from 'react-router'

import { Money } from '@/components/money'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { NativeSelect } from '@/components/ui/native-select'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES, formatPercent } from '@/lib/money'
import { today } from '@/lib/utils'

import { useTrafficDaily } from '../api'
import { messages } from '../i18n'
import { dailySeries, lastDays, TRAFFIC_DAYS } from '../lib/traffic-series'

// Recharts is large: it loads with the chart, not with the app.
const TrafficChart = lazy(() => import('./traffic-chart').then((m) => ({ default: m.TrafficChart })))

/** Traffic of the last 30 days (in `currency` when given, else in the card's own choice): spend against revenue and ROI per day, the totals, and a way into the analytics. */
export function TrafficCard({ currency: shared }: { currency?: string } = {}) {
  const { t, locale, money, date } = useI18n(messages)
  const [own, setCurrency] = useState('USD')
  // On the dashboard the page's report currency drives the card; alone, it has its own selector.
  const currency = shared ?? own
  const { from, to } = lastDays(today())
  const q = useTrafficDaily(from, to, currency)
  const days = useMemo(() => (q.data ? dailySeries(q.data.rows, from, to) : []), [q.data, from, to])
  return (
    <Card data-testid="dashboard-traffic">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <BarChart3 className="size-4" /> {t('dashboard.traffic')}
          {shared === undefined && (
          <NativeSelect className="ml-auto h-8 w-24" aria-label={t('common.currency')} value={currency} onChange={(e) => setCurrency(e.target.value)}>
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </NativeSelect>
          )}
        </CardTitle>
        <CardDescription>{t('dashboard.trafficHint', { days: TRAFFIC_DAYS })}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {q.error ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : !q.data ? (
          <LoadingState rows={4} />
        ) : q.data.rows.length === 0 ? (
          <EmptyState title={t('dashboard.noTraffic', { days: TRAFFIC_DAYS })}>
            <Button asChild variant="outline" size="sm">
              <Link to="/traffic/imports">{t('dashboard.importTraffic')}</Link>
            </Button>
          </EmptyState>
        ) : (
          <>
            <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4" data-testid="traffic-totals">
              {(['spend', 'revenue', 'profit'] as const).map((k) => (
                <div key={k}>
                  <dt className="text-muted-foreground">{t(`metric.${k}`)}</dt>
                  <dd className="text-base font-semibold">
                    <Money amount={q.data.totals[k]} currency={q.data.currency} />
                  </dd>
                </div>
              ))}
              <div>
                <dt className="text-muted-foreground">{t('metric.roi')}</dt>
                <dd className="text-base font-semibold tabular-nums">{q.data.totals.roi == null ? '—' : formatPercent(q.data.totals.roi, locale)}</dd>
              </div>
            </dl>
            <figure aria-label={t('dashboard.trafficChart')} data-testid="traffic-chart">
              <Suspense fallback={<LoadingState rows={4} />}>
                <TrafficChart days={days} currency={q.data.currency} />
              </Suspense>
              {/* The chart's figures for screen readers (and tests): the picture alone says nothing to them. */}
              <table className="sr-only">
                <caption>{t('dashboard.trafficChart')}</caption>
                <thead>
                  <tr>
                    <th>{t('common.date')}</th>
                    <th>{t('metric.spend')}</th>
                    <th>{t('metric.revenue')}</th>
                    <th>{t('metric.roi')}</th>
                  </tr>
                </thead>
                <tbody>
                  {days.map((d) => (
                    <tr key={d.day} data-testid="traffic-day">
                      <td>{date(d.day)}</td>
                      <td>{money(d.spend, q.data.currency)}</td>
                      <td>{money(d.revenue, q.data.currency)}</td>
                      <td>{d.roi === null ? '—' : formatPercent(d.roi, locale)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </figure>
          </>
        )}
        <div>
          <Button asChild variant="outline" size="sm">
            <Link to="/traffic/analytics">{t('dashboard.openAnalytics')}</Link>
          </Button>
        </div>
      </CardContent>
    </Card>
  )
}
