import { Bar, CartesianGrid, ComposedChart, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

import { useI18n } from '@/lib/i18n'
import { formatPercent } from '@/lib/money'

import { messages } from '../i18n'
import type { PeriodPoint } from '../lib/chart-data'
import { formatPeriod } from '../lib/metrics-format'

/**
 * Spend against revenue per period (bars) with profit (line), and ROI per period. Bar and
 * line heights are floats (pixels need no exactness); tooltips show the exact amounts.
 */
export function MetricsChart({ points, currency, granularity }: { points: PeriodPoint[]; currency: string; granularity: string }) {
  const { t, money, locale } = useI18n(messages)
  const label = (p: string) => formatPeriod(p, granularity, locale, (d) => t('analytics.weekOf', { date: d }))
  const data = points.map((p) => ({
    ...p,
    label: label(p.period),
    spendN: Number(p.spend),
    revenueN: Number(p.revenue),
    profitN: Number(p.profit),
    roiN: p.roi === null ? null : Number(p.roi),
  }))
  const exact: Record<string, keyof PeriodPoint> = { spendN: 'spend', revenueN: 'revenue', profitN: 'profit' }
  const axisMoney = (v: number) => money(String(v), currency, { withCurrency: false }).replace(/[.,]0+$/, '')

  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <figure className="lg:col-span-2" aria-label={t('analytics.spendRevenueChart')} data-testid="chart-spend-revenue">
        <figcaption className="mb-2 text-sm font-medium">{t('analytics.spendRevenueChart')}</figcaption>
        <div className="h-72 w-full">
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 8 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={{ fontSize: 12 }} minTickGap={16} />
              <YAxis tick={{ fontSize: 12 }} width={80} tickFormatter={axisMoney} />
              <Tooltip formatter={(_v, name, item) => [money((item.payload as PeriodPoint)[exact[String(item.dataKey)]] as string, currency), name]} />
              <Legend />
              <ReferenceLine y={0} stroke="var(--color-border)" />
              <Bar dataKey="spendN" name={t('metric.spend')} fill="var(--color-chart-1)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
              <Bar dataKey="revenueN" name={t('metric.revenue')} fill="var(--color-chart-2)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
              <Line dataKey="profitN" name={t('metric.profit')} stroke="var(--color-chart-3)" strokeWidth={2} dot={false} isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      </figure>
      <figure aria-label={t('analytics.roiChart')} data-testid="chart-roi">
        <figcaption className="mb-2 text-sm font-medium">{t('analytics.roiChart')}</figcaption>
        <div className="h-72 w-full">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 8 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={{ fontSize: 12 }} minTickGap={16} />
              <YAxis tick={{ fontSize: 12 }} width={56} tickFormatter={(v: number) => `${v}%`} />
              <Tooltip formatter={(_v, name, item) => [(item.payload as PeriodPoint).roi === null ? '—' : formatPercent((item.payload as PeriodPoint).roi!, locale), name]} />
              <ReferenceLine y={0} stroke="var(--color-border)" />
              <Line dataKey="roiN" name={t('metric.roi')} stroke="var(--color-chart-4)" strokeWidth={2} connectNulls={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </figure>
    </div>
  )
}
