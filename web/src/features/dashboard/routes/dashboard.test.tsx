import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import { ApiError } from '@/lib/api/problem'
import { I18nProvider } from '@/lib/i18n'

import type { Dashboard } from '../lib/dashboard'

const mocks = vi.hoisted(() => ({ get: vi.fn() }))
vi.mock('@/lib/api/client', () => ({
  api: { GET: mocks.get },
  unwrap: async (p: Promise<{ data?: unknown; error?: unknown }>) => {
    const r = await p
    if (r.error) throw r.error
    return r.data
  },
}))
// Charts draw nothing in jsdom (no layout); the figures are in the cards' tables.
vi.mock('../components/month-chart', () => ({ MonthChart: () => <div data-testid="month-recharts" /> }))
vi.mock('../components/traffic-card', () => ({ TrafficCard: ({ currency }: { currency?: string }) => <div data-testid="traffic-stub">{currency}</div> }))

const { default: DashboardPage } = await import('./dashboard')

const DASH: Dashboard = {
  currency: 'USD',
  today: '2026-11-26',
  cash: [
    { account_id: 'a1', name: 'Bank', kind: 'bank', currency: 'USD', balance: '1000.00', value: '1000.00' },
    { account_id: 'a2', name: 'Euro bank', kind: 'bank', currency: 'EUR', balance: '90.00', value: '99.00' },
  ],
  cash_total: '1099.00',
  this_month: { from: '2026-11-01', to: '2026-11-26', income: '250.00', expenses: '110.00', profit: '140.00' },
  last_month: { from: '2026-10-01', to: '2026-10-31', income: '200.00', expenses: '0.00', profit: '200.00' },
  receivables: { open: '1200.00', overdue: '300.00', invoices: 3, overdue_invoices: 1 },
  payables: { open: '0.00', overdue: '0.00', invoices: 0, overdue_invoices: 0 },
  overdue: [{ id: 'inv-1', number: 'INV-2026-0001', direction: 'receivable', counterparty_id: 'c1', counterparty: 'ACME Corp', due_date: '2026-11-06', currency: 'USD', open: '300.00', days_overdue: 20 }],
  top_projects: [
    { project_id: 'p1', name: 'Website', income: '250.00', expenses: '10.00', profit: '240.00' },
    { project_id: null, name: null, income: '0.00', expenses: '100.00', profit: '-100.00' },
  ],
  // What the server sends (its OpenAPI type name collides with the rates screen's).
  rates: [{ pair: 'EUR/USD', day: '2026-11-26', rate_date: '2026-11-20', rate: '1.1', earlier: true }] as unknown as Dashboard['rates'],
}

function renderPage() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  render(
    <QueryClientProvider client={qc}>
      <I18nProvider locale="en">
        <MemoryRouter>
          <DashboardPage />
        </MemoryRouter>
      </I18nProvider>
    </QueryClientProvider>,
  )
}

describe('the dashboard page', () => {
  beforeEach(() => mocks.get.mockReset())

  it('shows cash, the month against last, open amounts, overdue invoices and top projects', async () => {
    mocks.get.mockResolvedValue({ data: DASH })
    renderPage()
    const total = await screen.findByTestId('dashboard-cash-total')
    expect(total).toHaveTextContent('$1,099.00')
    const rows = screen.getAllByTestId('dashboard-cash-row')
    expect(rows[1]).toHaveTextContent('€90.00')
    expect(rows[1]).toHaveTextContent('$99.00')
    expect(screen.getByTestId('dashboard-rates')).toHaveTextContent('1 EUR = 1.1 USD (Nov 20, 2026)')

    expect(screen.getByTestId('month-income')).toHaveTextContent('$250.00$200.00+$50.00(25.00%)')
    // Expenses rose from zero: no percent, and in red (bad news).
    expect(screen.getByTestId('change-expenses')).toHaveTextContent('+$110.00')
    expect(screen.getByTestId('change-expenses')).toHaveClass('text-red-600')
    expect(screen.getByTestId('change-profit')).toHaveTextContent('-$60.00(-30.00%)')

    expect(screen.getByTestId('receivables-open')).toHaveTextContent('$1,200.00')
    expect(screen.getByTestId('receivables-overdue')).toHaveTextContent('$300.00')
    expect(screen.getByTestId('dashboard-receivables')).toHaveTextContent('$900.00')
    expect(screen.getByTestId('payables-open')).toHaveTextContent('$0.00')

    const overdue = screen.getByTestId('dashboard-overdue-row')
    expect(within(overdue).getByRole('link', { name: 'INV-2026-0001' })).toHaveAttribute('href', '/invoices/inv-1')
    expect(overdue).toHaveTextContent('ACME Corp')
    expect(overdue).toHaveTextContent('20 d late')

    const projects = screen.getAllByTestId('dashboard-project-row')
    expect(projects[0]).toHaveTextContent('Website$250.00$10.00$240.00')
    expect(projects[1]).toHaveTextContent('No project')
    expect(mocks.get).toHaveBeenCalledWith('/api/reports/dashboard', { params: { query: expect.objectContaining({ currency: 'USD' }) } })
  })

  it('asks again in the chosen report currency and passes it to the traffic card', async () => {
    mocks.get.mockResolvedValue({ data: DASH })
    renderPage()
    await screen.findByTestId('dashboard-cash-total')
    mocks.get.mockResolvedValue({ data: { ...DASH, currency: 'EUR' } })
    fireEvent.change(screen.getByLabelText('Report currency'), { target: { value: 'EUR' } })
    await waitFor(() => expect(mocks.get).toHaveBeenLastCalledWith('/api/reports/dashboard', { params: { query: expect.objectContaining({ currency: 'EUR' }) } }))
    expect(screen.getByTestId('traffic-stub')).toHaveTextContent('EUR')
  })

  it('shows loading, then the empty state for new books', async () => {
    let arrive: (v: unknown) => void = () => {}
    mocks.get.mockReturnValue(new Promise((resolve) => (arrive = resolve)))
    renderPage()
    expect(screen.getByRole('status')).toHaveTextContent('Loading')
    arrive({
      data: { ...DASH, cash: [], cash_total: '0.00', overdue: [], top_projects: [], rates: [], this_month: { ...DASH.this_month, income: '0', expenses: '0', profit: '0' }, last_month: { ...DASH.last_month, income: '0', expenses: '0', profit: '0' }, receivables: DASH.payables },
    })
    await screen.findByText('No asset accounts yet')
    expect(screen.getByRole('link', { name: 'Add accounts' })).toHaveAttribute('href', '/accounts')
  })

  it('explains a missing rate and links to the rates screen', async () => {
    mocks.get.mockResolvedValueOnce({ error: new ApiError(400, { code: 'missing_rate', detail: 'no EUR/USD rate on or before 2026-11-26' }, 'HTTP 400') })
    renderPage()
    const alert = await screen.findByTestId('dashboard-missing-rate')
    expect(alert).toHaveTextContent('An exchange rate is missing')
    expect(alert).toHaveTextContent('no EUR/USD rate on or before 2026-11-26')
    expect(within(alert).getByRole('link', { name: 'Enter the rate' })).toHaveAttribute('href', '/rates')
    mocks.get.mockResolvedValue({ data: DASH })
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }))
    await screen.findByTestId('dashboard-cash-total')
  })

  it('shows other errors with a retry', async () => {
    mocks.get.mockResolvedValueOnce({ error: new ApiError(500, { code: 'internal', detail: 'boom' }, 'HTTP 500') })
    renderPage()
    expect(await screen.findByRole('alert')).toHaveTextContent('boom')
  })
})
