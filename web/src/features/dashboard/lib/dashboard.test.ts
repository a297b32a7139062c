import { describe, expect, it } from 'vitest'

import { ApiError } from '@/lib/api/problem'

import { change, usedRates, isEmptyDashboard, isMissingRate, monthBars, notYetDue, overdueShare, riseIsGood, type Dashboard } from './dashboard'

const month = (income: string, expenses: string, profit: string) => ({ from: '2026-11-01', to: '2026-11-26', income, expenses, profit })
const open = (o: string, overdue: string, invoices = 0, overdue_invoices = 0) => ({ open: o, overdue, invoices, overdue_invoices })

function dashboard(over: Partial<Dashboard> = {}): Dashboard {
  return {
    currency: 'USD',
    today: '2026-11-26',
    cash: [],
    cash_total: '0.00',
    this_month: month('0.00', '0.00', '0.00'),
    last_month: month('0.00', '0.00', '0.00'),
    receivables: open('0.00', '0.00'),
    payables: open('0.00', '0.00'),
    overdue: [],
    top_projects: [],
    rates: [],
    ...over,
  }
}

describe('change', () => {
  it('gives the exact difference and the percent of last month', () => {
    expect(change('250.00', '200.00')).toEqual({ delta: '50', percent: '25.00', direction: 'up' })
    expect(change('0.10', '0.30')).toEqual({ delta: '-0.2', percent: '-66.67', direction: 'down' })
  })
  it('has no percent against zero and is flat when equal', () => {
    expect(change('100.00', '0.00')).toEqual({ delta: '100', percent: null, direction: 'up' })
    expect(change('5.00', '5.00')).toEqual({ delta: '0', percent: '0.00', direction: 'flat' })
  })
  it('measures a smaller loss as a rise', () => {
    expect(change('-50.00', '-100.00')).toEqual({ delta: '50', percent: '50.00', direction: 'up' })
  })
  it('knows rising expenses are bad news', () => {
    expect(riseIsGood('income')).toBe(true)
    expect(riseIsGood('profit')).toBe(true)
    expect(riseIsGood('expenses')).toBe(false)
  })
})

describe('month bars', () => {
  it('pairs last and this month per figure, keeping the exact strings', () => {
    const bars = monthBars(month('250.00', '110.00', '140.00'), month('0.00', '20.50', '-20.50'))
    expect(bars.map((b) => b.figure)).toEqual(['income', 'expenses', 'profit'])
    expect(bars[2]).toEqual({ figure: 'profit', last: -20.5, this: 140, lastExact: '-20.50', thisExact: '140.00' })
  })
})

describe('open amounts', () => {
  it('splits the open amount into overdue and not yet due', () => {
    expect(notYetDue(open('1200.00', '450.50'))).toBe('749.5')
    expect(overdueShare(open('1200.00', '300.00'))).toBe('25.00')
    expect(overdueShare(open('0.00', '0.00'))).toBeNull()
  })
})

describe('empty and errors', () => {
  it('is empty only with no cash accounts, no activity and nothing owed', () => {
    expect(isEmptyDashboard(dashboard())).toBe(true)
    expect(isEmptyDashboard(dashboard({ last_month: month('0.00', '10.00', '-10.00') }))).toBe(false)
    expect(isEmptyDashboard(dashboard({ receivables: open('5.00', '0.00', 1, 0) }))).toBe(false)
    expect(isEmptyDashboard(dashboard({ cash: [{ account_id: 'a', name: 'Bank', kind: 'bank', currency: 'USD', balance: '0', value: '0.00' }] }))).toBe(false)
  })
  it('recognises the missing_rate answer', () => {
    expect(isMissingRate(new ApiError(400, { code: 'missing_rate', detail: 'no EUR/USD rate on 2026-11-26' }, 'HTTP 400'))).toBe(true)
    expect(isMissingRate(new ApiError(400, { code: 'invalid_currency', detail: 'x' }, 'HTTP 400'))).toBe(false)
    expect(isMissingRate(new Error('missing_rate'))).toBe(false)
  })
})

describe('used rates', () => {
  it('reads the pair the server sends and skips anything else', () => {
    expect(usedRates([{ pair: 'EUR/USD', day: '2026-11-26', rate_date: '2026-11-20', rate: '1.1', earlier: true }, { base: 'X' }])).toEqual([{ text: '1 EUR = 1.1 USD', date: '2026-11-20' }])
  })
})
