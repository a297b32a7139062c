import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

import { useI18n } from '@/lib/i18n'

import type { ProfitabilityRow } from '../api'
import { messages } from '../i18n'

export interface ProfitBar {
  label: string
  row: ProfitabilityRow
}

/**
 * Spend against approved payouts per group (the top 10 by spend). Bar lengths are floats (pixels
 * need no exactness); the tooltip shows the exact amounts.
 */
export function ProfitChart({ bars, currency }: { bars: ProfitBar[]; currency: string }) {
  const { t, money } = useI18n(messages)
  const data = bars.map((b) => ({ label: b.label, row: b.row, spendN: Number(b.row.spend), approvedN: Number(b.row.payouts_approved) }))
  const exact: Record<string, 'spend' | 'payouts_approved'> = { spendN: 'spend', approvedN: 'payouts_approved' }
  const axisMoney = (v: number) => money(String(v), currency, { withCurrency: false }).replace(/[.,]0+$/, '')
  return (
    <figure aria-label={t('profit.chart')} data-testid="profit-chart">
      <figcaption className="mb-2 text-sm font-medium">{t('profit.chart')}</figcaption>
      <div className="w-full" style={{ height: Math.max(160, 48 + data.length * 44) }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, left: 8, bottom: 8 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" tick={{ fontSize: 12 }} tickFormatter={axisMoney} />
            <YAxis type="category" dataKey="label" tick={{ fontSize: 12 }} width={140} />
            <Tooltip formatter={(_v, name, item) => [money((item.payload as { row: ProfitabilityRow }).row[exact[String(item.dataKey)]], currency), name]} />
            <Legend />
            <Bar dataKey="spendN" name={t('profit.spend')} fill="var(--color-chart-1)" radius={[0, 3, 3, 0]} isAnimationActive={false} />
            <Bar dataKey="approvedN" name={t('profit.payoutsApproved')} fill="var(--color-chart-2)" radius={[0, 3, 3, 0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  )
}
