import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import type { Account } from '@/hooks/use-lookups'
import { ApiError } from '@/lib/api/problem'
import { I18nProvider } from '@/lib/i18n'

import type { InvoiceDetail, PaymentIn, PostedTransaction } from '../api'
import { PaymentForm } from './payment-form'

const candidates = vi.hoisted(() => ({ items: [] as unknown[], calls: [] as unknown[] }))
vi.mock('../api', async (original) => ({
  ...(await original<typeof import('../api')>()),
  usePaymentCandidates: (query: unknown) => {
    candidates.calls.push(query)
    const q = (query as { q: string }).q.toLowerCase()
    const items = candidates.items.filter((tx) => (tx as PostedTransaction).description.toLowerCase().includes(q))
    return { data: { items, total: items.length, limit: 20, offset: 0 }, isFetching: false, error: null }
  },
}))

const account = (id: string, name: string, currency: string, type: Account['type'] = 'asset') => ({ id, name, currency, type, kind: 'bank', archived: false }) as Account
const accounts = [account('ar', 'Receivables', 'USD'), account('bank', 'Bank', 'USD'), account('eur', 'Euro bank', 'EUR'), account('sales', 'Sales', 'USD', 'income')]

const invoice = {
  id: 'inv1',
  number: 'INV-1',
  direction: 'receivable',
  status: 'partially_paid',
  counterparty_id: 'acme',
  control_account_id: 'ar',
  account_id: 'sales',
  currency: 'USD',
  total: '350.01',
  paid: '110.00',
  open: '240.01',
  transaction_ids: ['issue-tx', 'pay-tx'],
  reversal_ids: [],
  payments: [{ transaction_id: 'pay-tx', date: '2025-03-02', amount: '100', currency: 'EUR', applied: '110.00', overpaid: '0' }],
  lines: [],
} as unknown as InvoiceDetail

const tx = (id: string, description: string, entries: [string, string][], extra: Partial<PostedTransaction> = {}) =>
  ({ id, date: '2025-03-05', description, kind: 'journal', tags: [], entries: entries.map(([account_id, amount]) => ({ account_id, amount, currency: 'USD' })), ...extra }) as PostedTransaction

beforeEach(() => {
  candidates.calls = []
  candidates.items = [
    tx('issue-tx', 'Invoice INV-1', [['ar', '350.01'], ['sales', '-350.01']]),
    tx('wire', 'Acme wire March', [['bank', '40'], ['ar', '-40']]),
    tx('refund', 'Acme refund', [['ar', '15'], ['bank', '-15']]),
    tx('old', 'Acme wire reversed', [['bank', '5'], ['ar', '-5']], { reversed_by: 'rev' }),
  ]
})

function setup(onSubmit = vi.fn(async (_b: PaymentIn) => {})) {
  render(
    <I18nProvider locale="en">
      <PaymentForm invoice={invoice} accounts={accounts} onSubmit={onSubmit} onCancel={() => {}} />
    </I18nProvider>,
  )
  return { onSubmit, user: userEvent.setup() }
}

describe('PaymentForm', () => {
  it('records a new payment by default: account, amount (the open amount), date', async () => {
    const { onSubmit, user } = setup()
    expect(screen.getByRole('radio', { name: 'Record a new payment' })).toHaveAttribute('aria-checked', 'true')
    expect(screen.getByLabelText('Amount (USD)')).toHaveValue('240.01')
    await user.click(screen.getByRole('button', { name: 'Record payment' }))
    expect(screen.getByText('Choose the account the money moved through')).toBeInTheDocument()
    await user.selectOptions(screen.getByLabelText('Paid through'), 'bank')
    await user.click(screen.getByRole('button', { name: 'Record payment' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit.mock.calls[0][0]).toMatchObject({ account_id: 'bank', amount: '240.01', currency: 'USD', rate: null })
    expect(onSubmit.mock.calls[0][0]).not.toHaveProperty('transaction_id')
  })

  it('switches to applying an existing transaction: lists the counterparty’s postings on the invoice’s account and sends only the id', async () => {
    const { onSubmit, user } = setup()
    await user.click(screen.getByRole('radio', { name: 'Apply an existing transaction' }))
    // The money fields are gone; the picker asks the server for the counterparty's postings on the control account.
    expect(screen.queryByLabelText('Paid through')).toBeNull()
    expect(candidates.calls.at(-1)).toEqual({ counterparty_id: 'acme', account_id: 'ar', q: '' })

    const rows = screen.getAllByTestId('payment-candidate')
    // The invoice's own issue posting is not offered.
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('Acme wire March'),
      expect.stringContaining('Acme refund'),
      expect.stringContaining('Acme wire reversed'),
    ])
    expect(rows[0]).toHaveTextContent('$40.00')
    expect(rows[0]).toHaveTextContent('Mar 5, 2025')
    expect(within(rows[1]).getByRole('radio')).toBeDisabled()
    expect(rows[1]).toHaveTextContent('Settles nothing on the invoice’s account')
    expect(within(rows[2]).getByRole('radio')).toBeDisabled()
    expect(rows[2]).toHaveTextContent('Reversed')

    await user.click(screen.getByRole('button', { name: 'Apply transaction' }))
    expect(screen.getByText('Choose the transaction that paid the invoice')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()

    await user.click(within(rows[0]).getByRole('radio'))
    await user.click(screen.getByRole('button', { name: 'Apply transaction' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith({ transaction_id: 'wire' })
  })

  it('searches the postings by description', async () => {
    const { user } = setup()
    await user.click(screen.getByRole('radio', { name: 'Apply an existing transaction' }))
    await user.type(screen.getByLabelText('Search transactions by description'), 'refund')
    await waitFor(() => expect(candidates.calls.at(-1)).toEqual({ counterparty_id: 'acme', account_id: 'ar', q: 'refund' }))
    expect(screen.getAllByTestId('payment-candidate')).toHaveLength(1)
    await user.clear(screen.getByLabelText('Search transactions by description'))
    await user.type(screen.getByLabelText('Search transactions by description'), 'nothing like it')
    expect(await screen.findByTestId('no-candidates')).toBeInTheDocument()
  })

  it('shows the server’s refusal of a transaction', async () => {
    const onSubmit = vi.fn(async (_b: PaymentIn) => {
      throw new ApiError(409, { code: 'already_applied', detail: 'transaction wire is already applied to invoice inv2' }, 'HTTP 409')
    })
    const { user } = setup(onSubmit)
    await user.click(screen.getByRole('radio', { name: 'Apply an existing transaction' }))
    await user.click(within(screen.getAllByTestId('payment-candidate')[0]).getByRole('radio'))
    await user.click(screen.getByRole('button', { name: 'Apply transaction' }))
    expect(await screen.findByText('transaction wire is already applied to invoice inv2')).toBeInTheDocument()
    // Back to a new payment: the movement's fields return, with the open amount.
    await user.click(screen.getByRole('radio', { name: 'Record a new payment' }))
    expect(screen.getByLabelText('Amount (USD)')).toHaveValue('240.01')
    expect(screen.queryByText('transaction wire is already applied to invoice inv2')).toBeNull()
  })
})
