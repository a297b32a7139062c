import Decimal from 'decimal.js'

import { isApiError } from '@/lib/api/problem'
import type { components } from '@/lib/api/schema'

export type Dashboard = components['schemas']['DashboardOut']
export type MonthFigures = components['schemas']['PeriodOut']
export type OpenFigures = components['schemas']['OpenOut']

export const MONTH_FIGURES = ['income', 'expenses', 'profit'] as const
export type MonthFigure = (typeof MONTH_FIGURES)[number]

/** A change from `previous` to `current`: the difference and, when `previous` is not zero, the percent of it. */
export interface Change {
  delta: string
  /** Percent of |previous| (so a smaller loss is a rise); null when previous is zero. */
  percent: string | null
  direction: 'up' | 'down' | 'flat'
}

export function change(current: string, previous: string): Change {
  const c = new Decimal(current)
  const p = new Decimal(previous)
  const delta = c.minus(p)
  const percent = p.isZero() ? null : delta.div(p.abs()).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2)
  return { delta: delta.toFixed(), percent, direction: delta.isZero() ? 'flat' : delta.isPositive() ? 'up' : 'down' }
}

/** Whether a rise in `figure` is good news (expenses rising is not). */
export function riseIsGood(figure: MonthFigure): boolean {
  return figure !== 'expenses'
}

/** Bars for the month chart: one group per figure, last month beside this month (floats only for bar heights). */
export function monthBars(thisMonth: MonthFigures, lastMonth: MonthFigures) {
  return MONTH_FIGURES.map((figure) => ({
    figure,
    last: Number(lastMonth[figure]),
    this: Number(thisMonth[figure]),
    lastExact: lastMonth[figure],
    thisExact: thisMonth[figure],
  }))
}

/** The part of the open amount that is not overdue yet. */
export function notYetDue(o: OpenFigures): string {
  return new Decimal(o.open).minus(o.overdue).toFixed()
}

/** Overdue share of the open amount, in percent (null when nothing is open). */
export function overdueShare(o: OpenFigures): string | null {
  const open = new Decimal(o.open)
  if (open.isZero()) return null
  return new Decimal(o.overdue).div(open).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2)
}

/** Whether the dashboard has nothing to show yet (no cash accounts, no activity, nothing owed). */
export function isEmptyDashboard(d: Dashboard): boolean {
  const zero = (s: string) => new Decimal(s).isZero()
  const quiet = (m: MonthFigures) => zero(m.income) && zero(m.expenses)
  return d.cash.length === 0 && quiet(d.this_month) && quiet(d.last_month) && d.receivables.invoices === 0 && d.payables.invoices === 0
}

/** Whether the error is the server's "no exchange rate" answer (the fix is entering a rate). */
export function isMissingRate(error: unknown): boolean {
  return isApiError(error) && error.code === 'missing_rate'
}

/**
 * A rate the dashboard used, as the server sends it ({pair: "EUR/USD", day, rate_date, rate, earlier}).
 * The OpenAPI document names it `RateOut`, a name it shares with the rates screen's type, so the
 * generated schema shows the wrong fields; this reads what actually arrives.
 */
export interface UsedRate {
  pair: string
  rate: string
  rate_date: string
}

/** "1 EUR = 1.1 USD" and the rate's date, for each rate used. */
export function usedRates(rates: unknown[]): { text: string; date: string }[] {
  return (rates as Partial<UsedRate>[])
    .filter((r) => typeof r.pair === 'string' && typeof r.rate === 'string')
    .map((r) => {
      const [base, quote] = r.pair!.split('/')
      return { text: `1 ${base} = ${r.rate} ${quote}`, date: r.rate_date ?? '' }
    })
}
