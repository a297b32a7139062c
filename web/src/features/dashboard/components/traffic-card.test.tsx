import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import { I18nProvider } from '@/lib/i18n'
import { today } from '@/lib/utils'

import { lastDays } from '../lib/traffic-series'

const mocks = vi.hoisted(() => ({ get: vi.fn() }))
vi.mock('@/lib/api/client', () => ({
  api: { GET: mocks.get },
  unwrap: async (p: Promise<{ data?: unknown; error?: unknown }>) => {
    const r = await p
    if (r.error) throw new Error(String(r.error))
    return r.data
  },
}))
// The chart itself draws nothing in jsdom (no layout); its figures are in the card's table.
vi.mock('./traffic-chart', () => ({ TrafficChart: () => <div data-testid="recharts" /> }))

const { TrafficCard } = await import('./traffic-card')

const figures = (spend: string, revenue: string, roi: string | null) => ({ spend, revenue, profit: '0', roi, impressions: 0, clicks: 0, installs: 0, tracker_clicks: 0, conversions: 0 })

function answer(rows: { period: string; spend: string; revenue: string; roi: string | null }[], currency = 'USD') {
  const { from, to } = lastDays(today())
  return {
    data: {
      from,
      to,
      currency,
      granularity: 'day',
      group_by: [],
      rows: rows.map((r) => ({ period: r.period, group: {}, names: {}, ...figures(r.spend, r.revenue, r.roi) })),
      total_rows: rows.length,
      limit: 30,
      offset: 0,
      totals: { ...figures('30.00', '45.00', '50.00'), profit: '15.00' },
      rates_used: [],
    },
  }
}

function renderCard() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  render(
    <QueryClientProvider client={qc}>
      <I18nProvider locale="en">
        <MemoryRouter>
          <TrafficCard />
        </MemoryRouter>
      </I18nProvider>
    </QueryClientProvider>,
  )
}

describe('the dashboard traffic card', () => {
  beforeEach(() => mocks.get.mockReset())

  it('asks for the last 30 days by day in the chosen currency', async () => {
    mocks.get.mockResolvedValue(answer([]))
    renderCard()
    await screen.findByText('No traffic in the last 30 days')
    const { from, to } = lastDays(today())
    expect(mocks.get).toHaveBeenCalledWith('/api/traffic/metrics', { params: { query: expect.objectContaining({ from, to, granularity: 'day', currency: 'USD' }) } })
    mocks.get.mockResolvedValue(answer([], 'EUR'))
    fireEvent.change(screen.getByLabelText('Currency'), { target: { value: 'EUR' } })
    await waitFor(() => expect(mocks.get).toHaveBeenLastCalledWith('/api/traffic/metrics', { params: { query: expect.objectContaining({ currency: 'EUR' }) } }))
  })

  it('shows loading while the metrics come', async () => {
    let arrive: (v: unknown) => void = () => {}
    mocks.get.mockReturnValue(new Promise((resolve) => (arrive = resolve)))
    renderCard()
    expect(screen.getByRole('status')).toHaveTextContent('Loading')
    arrive(answer([]))
    await screen.findByText('No traffic in the last 30 days')
    expect(screen.queryByRole('status')).toBeNull()
  })

  it('shows the error with a retry', async () => {
    mocks.get.mockResolvedValueOnce({ error: 'metrics unavailable' })
    renderCard()
    expect(await screen.findByRole('alert')).toHaveTextContent('metrics unavailable')
    mocks.get.mockResolvedValue(answer([]))
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    await screen.findByText('No traffic in the last 30 days')
  })

  it('charts every day: spend, revenue and ROI, zeros on days without traffic', async () => {
    const { to } = lastDays(today())
    mocks.get.mockResolvedValue(answer([{ period: to, spend: '30.00', revenue: '45.00', roi: '50.00' }]))
    renderCard()
    await screen.findByTestId('recharts')
    const days = screen.getAllByTestId('traffic-day')
    expect(days).toHaveLength(30)
    expect(days[29]).toHaveTextContent('$30.00')
    expect(days[29]).toHaveTextContent('$45.00')
    expect(days[29]).toHaveTextContent('50.00%')
    expect(days[0]).toHaveTextContent('$0.00')
    expect(days[0]).toHaveTextContent('—')
    expect(screen.getByTestId('traffic-totals')).toHaveTextContent('$15.00')
  })
})
