import { BarChart3 } from 'lucide-react'
import { Link } from 'react-router'

import { Money } from '@/components/money'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { useI18n } from '@/lib/i18n'
import { formatPercent } from '@/lib/money'
import { today } from '@/lib/utils'

import { useTrafficTotals } from '../api'

/** Traffic of the last 30 days in brief, with a way into the analytics. */
export function TrafficCard() {
  const { t, locale } = useI18n()
  const to = today()
  const d = new Date(`${to}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - 29)
  const from = d.toISOString().slice(0, 10)
  const q = useTrafficTotals(from, to)
  return (
    <Card data-testid="dashboard-traffic">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <BarChart3 className="size-4" /> {t('dashboard.traffic')}
        </CardTitle>
        <CardDescription>{t('dashboard.trafficHint')}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {q.error ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : !q.data ? (
          <LoadingState rows={2} />
        ) : (
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
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
