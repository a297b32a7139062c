import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

import { useI18n } from '@/lib/i18n'

import type { Balance } from '../api'

/**
 * Bars of account balances in one currency. Bar heights are the only place amounts become
 * floating-point numbers (pixels need no exactness); labels and tooltips show the exact strings.
 */
export function BalanceChart({ currency, balances }: { currency: string; balances: Balance[] }) {
  const { money } = useI18n()
  const data = balances.map((b) => ({ name: b.name, value: Number(b.balance), exact: b.balance }))
  return (
    <div className="h-64 w-full" data-testid={`chart-${currency}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" tick={{ fontSize: 12 }} interval={0} />
          <YAxis tick={{ fontSize: 12 }} width={80} tickFormatter={(v: number) => money(String(v), currency, { withCurrency: false }).replace(/[.,]0+$/, '')} />
          <Tooltip
            formatter={(_v, _n, item) => [money((item.payload as { exact: string }).exact, currency), '']}
            separator=""
          />
          <Bar dataKey="value" fill="var(--color-chart-2)" radius={[4, 4, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}
