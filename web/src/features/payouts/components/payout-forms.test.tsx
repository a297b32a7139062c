import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import type { Account, Category } from '@/hooks/use-lookups'
import { ApiError } from '@/lib/api/problem'
import { I18nProvider } from '@/lib/i18n'

import type { ApproveBody, PayBody } from '../api'
import { PayoutApproveForm } from './payout-approve-form'
import { PayoutPayForm } from './payout-pay-form'

vi.mock('react-hot-toast', () => ({ default: Object.assign(vi.fn(), { error: vi.fn(), success: vi.fn() }) }))

const account = (id: string, name: string, type: Account['type'], currency: string, archived = false) =>
  ({ id, name, type, currency, archived, kind: type === 'asset' ? 'bank' : 'other' }) as Account
const accounts = [
  account('rec-usd', 'Receivables USD', 'asset', 'USD'),
  account('rec-eur', 'Receivables EUR', 'asset', 'EUR'),
  account('rev-usd', 'Affiliate revenue', 'income', 'USD'),
  account('bank-usd', 'Bank USD', 'asset', 'USD'),
  account('wallet', 'Tron wallet', 'asset', 'USDT'),
  account('old', 'Old bank', 'asset', 'USD', true),
]
const categories = [
  { id: 'cat-in', name: 'Affiliate revenue', kind: 'income', archived: false },
  { id: 'cat-out', name: 'Ads', kind: 'expense', archived: false },
] as Category[]
const HASH = 'a'.repeat(64)

function renderApprove(onSubmit = vi.fn(async (_b: ApproveBody) => {})) {
  render(
    <I18nProvider locale="en">
      <PayoutApproveForm
        currency="USD"
        accounts={accounts}
        categories={categories}
        defaults={{ receivable_account_id: '', revenue_account_id: '', category_id: '', date: '2026-10-31' }}
        onSubmit={onSubmit}
        onCancel={() => {}}
      />
    </I18nProvider>,
  )
  return { onSubmit, user: userEvent.setup() }
}

function renderPay(onSubmit = vi.fn(async (_b: PayBody) => {})) {
  render(
    <I18nProvider locale="en">
      <PayoutPayForm currency="USD" total="22.50" accounts={accounts} defaults={{ account_id: '', amount: '', tx_hash: '', date: '2026-11-10' }} onSubmit={onSubmit} onCancel={() => {}} />
    </I18nProvider>,
  )
  return { onSubmit, user: userEvent.setup() }
}

const optionLabels = (label: string) => Array.from((screen.getByLabelText(label) as HTMLSelectElement).options).map((o) => o.textContent)

describe('PayoutApproveForm', () => {
  it('offers asset and income accounts in the payout currency and income categories only', async () => {
    renderApprove()
    expect(optionLabels('Receivable account')).toEqual(['— choose —', 'Receivables USD', 'Bank USD'])
    expect(optionLabels('Revenue account')).toEqual(['— choose —', 'Affiliate revenue'])
    expect(optionLabels('Category')).toEqual(['— none —', 'Affiliate revenue'])
  })

  it('requires both accounts, then posts them with the date', async () => {
    const { onSubmit, user } = renderApprove()
    await user.click(screen.getByRole('button', { name: 'Approve' }))
    expect(await screen.findAllByText('Required')).toHaveLength(2)
    expect(onSubmit).not.toHaveBeenCalled()
    await user.selectOptions(screen.getByLabelText('Receivable account'), 'rec-usd')
    await user.selectOptions(screen.getByLabelText('Revenue account'), 'rev-usd')
    await user.selectOptions(screen.getByLabelText('Category'), 'cat-in')
    await user.click(screen.getByRole('button', { name: 'Approve' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit.mock.calls[0][0]).toEqual({ receivable_account_id: 'rec-usd', revenue_account_id: 'rev-usd', category_id: 'cat-in', date: '2026-10-31' })
  })

  it('shows the server’s refusal on the field it names', async () => {
    const { user } = renderApprove(
      vi.fn(async () => {
        throw new ApiError(422, { detail: 'the receivable account is not in USD', field: 'receivable_account_id' }, 'HTTP 422')
      }),
    )
    await user.selectOptions(screen.getByLabelText('Receivable account'), 'bank-usd')
    await user.selectOptions(screen.getByLabelText('Revenue account'), 'rev-usd')
    await user.click(screen.getByRole('button', { name: 'Approve' }))
    // On the field, and kept in the dialog (the toast goes away).
    expect(await screen.findAllByText('the receivable account is not in USD')).toHaveLength(2)
    expect(screen.getByTestId('form-problem')).toHaveTextContent('the receivable account is not in USD')
  })

  it('keeps a refusal without a field (a closed period) in the dialog', async () => {
    const { user } = renderApprove(
      vi.fn(async () => {
        throw new ApiError(409, { detail: 'the period up to 2026-10-31 is closed' }, 'HTTP 409')
      }),
    )
    await user.selectOptions(screen.getByLabelText('Receivable account'), 'rec-usd')
    await user.selectOptions(screen.getByLabelText('Revenue account'), 'rev-usd')
    await user.click(screen.getByRole('button', { name: 'Approve' }))
    expect(await screen.findByTestId('form-problem')).toHaveTextContent('the period up to 2026-10-31 is closed')
  })
})

describe('PayoutPayForm', () => {
  it('validates the tx hash as 64 hex characters', async () => {
    const { onSubmit, user } = renderPay()
    await user.selectOptions(screen.getByLabelText(/Received into/), 'bank-usd')
    const hash = screen.getByLabelText('Transaction hash')
    await user.type(hash, 'xyz123')
    await user.click(screen.getByRole('button', { name: 'Mark paid' }))
    expect(await screen.findByText('A transaction hash is 64 hexadecimal characters')).toBeInTheDocument()
    await user.clear(hash)
    await user.type(hash, 'g'.repeat(64))
    await user.click(screen.getByRole('button', { name: 'Mark paid' }))
    expect(await screen.findByText('A transaction hash is 64 hexadecimal characters')).toBeInTheDocument()
    await user.clear(hash)
    await user.type(hash, HASH.slice(1))
    await user.click(screen.getByRole('button', { name: 'Mark paid' }))
    expect(await screen.findByText('A transaction hash is 64 hexadecimal characters')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()
    await user.clear(hash)
    await user.type(hash, `  ${HASH.toUpperCase()} `)
    await user.click(screen.getByRole('button', { name: 'Mark paid' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit.mock.calls[0][0]).toEqual({ account_id: 'bank-usd', amount: null, tx_hash: HASH.toUpperCase(), date: '2026-11-10' })
  })

  it('makes the amount optional in the payout currency and required in another', async () => {
    const { onSubmit, user } = renderPay()
    expect(optionLabels('Received into')).toEqual(['— choose —', 'Receivables USD · USD', 'Receivables EUR · EUR', 'Bank USD · USD', 'Tron wallet · USDT'])
    await user.selectOptions(screen.getByLabelText(/Received into/), 'wallet')
    expect(screen.getByText('Required: the account is in USDT, the payout in USD.')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Mark paid' }))
    expect(await screen.findByText('Required when the account’s currency differs from the payout’s')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()
    // USDT has 6 decimals; a comma is a decimal separator.
    await user.type(screen.getByLabelText('Amount received, USDT'), '22,4512345')
    await user.click(screen.getByRole('button', { name: 'Mark paid' }))
    expect(await screen.findByText('Too many decimals for this currency')).toBeInTheDocument()
    await user.clear(screen.getByLabelText('Amount received, USDT'))
    await user.type(screen.getByLabelText('Amount received, USDT'), '22,451234')
    await user.type(screen.getByLabelText('Transaction hash'), HASH)
    await user.click(screen.getByRole('button', { name: 'Mark paid' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit.mock.calls[0][0]).toEqual({ account_id: 'wallet', amount: '22.451234', tx_hash: HASH, date: '2026-11-10' })
  })

  it('refuses a negative or zero amount and needs an account', async () => {
    const { onSubmit, user } = renderPay()
    await user.click(screen.getByRole('button', { name: 'Mark paid' }))
    expect(await screen.findByText('Required')).toBeInTheDocument()
    await user.selectOptions(screen.getByLabelText(/Received into/), 'bank-usd')
    expect(screen.getByText('Leave blank for the full $22.50.')).toBeInTheDocument()
    await user.type(screen.getByLabelText('Amount received, USD'), '0')
    await user.click(screen.getByRole('button', { name: 'Mark paid' }))
    expect(await screen.findByText('Must be a positive number')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()
  })
})
