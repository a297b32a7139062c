import { describe, expect, it } from 'vitest'

import type { Pnl } from '../accounting-api'
import { parsePnlGroup, pnlChart, pnlGroupParam } from './pnl'

const figures = (income: string, expenses: string) => ({ income, expenses, profit: String(Number(income) - Number(expenses)) })

describe('P&L grouping', () => {
  it('reads the URL: known dimensions, each once, at most two, else month · category', () => {
    expect(parsePnlGroup(null)).toEqual(['month', 'category'])
    expect(parsePnlGroup('')).toEqual(['month', 'category'])
    expect(parsePnlGroup('counterparty')).toEqual(['counterparty'])
    expect(parsePnlGroup('project,month')).toEqual(['project', 'month'])
    expect(parsePnlGroup('account,account,project,month')).toEqual(['account', 'project'])
    expect(parsePnlGroup('colour,nonsense')).toEqual(['month', 'category'])
    expect(pnlGroupParam(['month', 'category'])).toBe('')
    expect(pnlGroupParam(['category', 'month'])).toBe('category,month')
  })

  it('charts along the months when grouped by them, else along the first dimension', () => {
    const pnl = {
      group_by: ['counterparty', 'month'],
      rows: [
        { keys: [{ dimension: 'counterparty', value: 'b', name: 'Beta' }, { dimension: 'month', value: '2025-02-01' }], drill: '', ...figures('10', '4') },
        { keys: [{ dimension: 'counterparty', value: 'a', name: 'Acme' }, { dimension: 'month', value: '2025-01-01' }], drill: '', ...figures('5', '0') },
        { keys: [{ dimension: 'counterparty', value: 'a', name: 'Acme' }, { dimension: 'month', value: '2025-02-01' }], drill: '', ...figures('1', '2') },
      ],
    } as unknown as Pnl
    expect(pnlChart(pnl, 'None')).toEqual([
      { label: '2025-01', income: 5, expenses: 0, profit: 5 },
      { label: '2025-02', income: 11, expenses: 6, profit: 5 },
    ])
    const byCounterparty = { ...pnl, group_by: ['counterparty', 'project'], rows: [...pnl.rows, { keys: [{ dimension: 'counterparty', value: null }], drill: '', ...figures('0', '3') }] } as unknown as Pnl
    expect(pnlChart(byCounterparty, 'None').map((r) => [r.label, r.income, r.expenses])).toEqual([
      ['Beta', 10, 4],
      ['Acme', 6, 2],
      ['None', 0, 3],
    ])
  })
})
