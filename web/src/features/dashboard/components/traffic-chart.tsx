import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

import { useI18n } from '@/lib/i18n'
import { formatPercent } from '@/lib/money'

import { messages } from '../i18n'
import type { TrafficDay } from '../lib/traffic-series'

/**
 * Spend and revenue per day (bars, left axis) with ROI (line, right axis). Heights are floats
 * (pixels need no exactness); the tooltip shows the exact amounts.
 */
export function TrafficChart({ days, currency }: { days: TrafficDay[]; currency: string }) {
  const { t, money, date, locale } = useI18n(messages)
  const data = days.map((d) => ({ ...d, label: date(d.day), spendN: Number(d.spend), revenueN: Number(d.revenue), roiN: d.roi === null ? null : Number(d.roi) }))
  const exact = (key: string, d: TrafficDay) => (key === 'roiN' ? (d.roi === null ? '—' : formatPercent(d.roi, locale)) : money(key === 'spendN' ? d.spend : d.revenue, currency))
  return (
    <div className="h-64 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={24} />
          <YAxis yAxisId="money" tick={{ fontSize: 11 }} width={72} tickFormatter={(v: number) => money(String(v), currency, { withCurrency: false }).replace(/[.,]0+$/, '')} />
          <YAxis yAxisId="roi" orientation="right" tick={{ fontSize: 11 }} width={48} tickFormatter={(v: number) => `${v}%`} />
          <Tooltip formatter={(_v, name, item) => [exact(String(item.dataKey), item.payload as TrafficDay), name]} />
          <Legend />
          <Bar yAxisId="money" dataKey="spendN" name={t('metric.spend')} fill="var(--color-chart-1)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          <Bar yAxisId="money" dataKey="revenueN" name={t('metric.revenue')} fill="var(--color-chart-2)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          <Line yAxisId="roi" dataKey="roiN" name={t('metric.roi')} stroke="var(--color-chart-4)" strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  )
}
