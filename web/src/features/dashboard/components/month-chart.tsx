import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

import { useI18n } from '@/lib/i18n'

import { messages } from '../i18n'
import { monthBars, type MonthFigures } from '../lib/dashboard'

/**
 * Income, expenses and profit, last month beside this month. Heights are floats (pixels need no
 * exactness); the tooltip shows the exact amounts.
 */
export function MonthChart({ thisMonth, lastMonth, currency }: { thisMonth: MonthFigures; lastMonth: MonthFigures; currency: string }) {
  const { t, money } = useI18n(messages)
  const data = monthBars(thisMonth, lastMonth).map((b) => ({ ...b, label: t(`dashboard.figure.${b.figure}`) }))
  return (
    <div className="h-56 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} />
          <YAxis tick={{ fontSize: 11 }} width={72} tickFormatter={(v: number) => money(String(v), currency, { withCurrency: false }).replace(/[.,]0+$/, '')} />
          <Tooltip
            formatter={(_v, name, item) => {
              const p = item.payload as (typeof data)[number]
              return [money(item.dataKey === 'this' ? p.thisExact : p.lastExact, currency), name]
            }}
          />
          <Legend />
          <Bar dataKey="last" name={t('dashboard.lastMonth')} fill="var(--color-chart-3)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          <Bar dataKey="this" name={t('dashboard.thisMonth')} fill="var(--color-chart-2)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}
