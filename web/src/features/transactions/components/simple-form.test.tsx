import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import type { Account } from '@/hooks/use-lookups'
import { testAccount } from '@/test/fixtures'
import { ApiError } from '@/lib/api/problem'
import { I18nProvider } from '@/lib/i18n'

import type { TransactionIn } from '../api'
import type { Refs } from '../lib/meta'
import { SimpleForm } from './simple-form'

const account = (id: string, name: string, type: Account['type'], kind: Account['kind'] = 'other', currency = 'USD'): Account =>
  testAccount({ id, name, type, kind, currency })

const refs: Refs = {
  accounts: [
    account('bank', 'Bank', 'asset'),
    account('wallet', 'USDT wallet', 'asset', 'crypto_wallet', 'USDT'),
    account('sales', 'Sales', 'income'),
    account('rent', 'Rent', 'expense'),
  ],
  projects: [],
  categories: [],
  counterparties: [],
}

function setup(kind: 'income' | 'expense', onSubmit: (body: TransactionIn) => Promise<void> = vi.fn(async () => {})) {
  render(
    <I18nProvider locale="en">
      <SimpleForm kind={kind} refs={refs} onSubmit={onSubmit} onCancel={() => {}} />
    </I18nProvider>,
  )
  return { onSubmit, user: userEvent.setup() }
}

describe('SimpleForm', () => {
  it('refuses an empty form and amounts that are not positive numbers', async () => {
    const { onSubmit, user } = setup('income')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    expect((await screen.findAllByText('Required')).length).toBeGreaterThanOrEqual(3)
    await user.type(screen.getByLabelText('Amount'), '-5')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    expect(await screen.findByText('Must be a positive number')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()
  })

  it('posts an income into the money account from the income account, amount as typed in any locale', async () => {
    const { onSubmit, user } = setup('income')
    await user.type(screen.getByLabelText('Description'), 'Consulting')
    await user.selectOptions(screen.getByLabelText('Received into'), 'bank')
    await user.selectOptions(screen.getByLabelText('Income account'), 'sales')
    // Only accounts of the right type are offered.
    expect(screen.getByLabelText('Income account')).not.toHaveTextContent('Rent')
    await user.type(screen.getByLabelText('Amount'), '1 234,56')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ description: 'Consulting', income: { account_id: 'bank', income_account_id: 'sales', amount: '1234.56' } }),
    )
  })

  it('shows a server refusal under the field it names', async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(422, { code: 'validation_failed', detail: 'the account is archived', field: 'expense.expense_account_id' }, 'HTTP 422')
    })
    const { user } = setup('expense', onSubmit)
    await user.type(screen.getByLabelText('Description'), 'Office rent')
    await user.selectOptions(screen.getByLabelText('Paid from'), 'bank')
    await user.selectOptions(screen.getByLabelText('Expense account'), 'rent')
    await user.type(screen.getByLabelText('Amount'), '800')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ expense: { account_id: 'bank', expense_account_id: 'rent', amount: '800' } })))
    const field = screen.getByLabelText('Expense account')
    await waitFor(() => expect(field).toHaveAccessibleDescription(/the account is archived/))
  })

  it('checks the crypto block only while the money account is a wallet', async () => {
    const { onSubmit, user } = setup('income')
    await user.type(screen.getByLabelText('Description'), 'Payout')
    await user.selectOptions(screen.getByLabelText('Received into'), 'wallet')
    await user.selectOptions(screen.getByLabelText('Income account'), 'sales')
    await user.type(screen.getByLabelText('Amount'), '100')
    await user.click(screen.getByLabelText('On-chain transfer (Tron): add its details'))
    await user.type(screen.getByLabelText('Transaction hash'), 'bad')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    expect(await screen.findByText('A transaction hash is 64 hexadecimal characters')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()
    // A bank account instead: the block goes, and its half-typed details do not stop the posting.
    await user.selectOptions(screen.getByLabelText('Received into'), 'bank')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ crypto: null, income: { account_id: 'bank', income_account_id: 'sales', amount: '100' } }))
  })
})
