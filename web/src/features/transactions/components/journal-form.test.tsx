import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import type { Account } from '@/hooks/use-lookups'
import { testAccount } from '@/test/fixtures'
import { I18nProvider } from '@/lib/i18n'

import type { Refs } from '../lib/meta'
import { JournalForm } from './journal-form'

const account = (id: string, name: string, currency: string, type: Account['type'] = 'asset'): Account => testAccount({ id, name, currency, type, kind: 'bank' })

const refs: Refs = {
  accounts: [account('bank', 'Bank', 'USD'), account('sales', 'Sales', 'USD', 'income'), account('eur', 'Euro bank', 'EUR')],
  projects: [],
  categories: [],
  counterparties: [],
}

function setup() {
  const onSubmit = vi.fn(async () => {})
  render(
    <I18nProvider locale="en">
      <JournalForm refs={refs} onSubmit={onSubmit} onCancel={() => {}} />
    </I18nProvider>,
  )
  return { onSubmit, user: userEvent.setup() }
}

describe('JournalForm', () => {
  it('shows the running imbalance and refuses to post until it is zero', async () => {
    const { onSubmit, user } = setup()
    await user.type(screen.getByLabelText('Description'), 'Split sale')
    await user.selectOptions(screen.getByLabelText('Entry 1 account'), 'bank')
    await user.type(screen.getByLabelText('Entry 1 amount'), '100.10')
    await user.selectOptions(screen.getByLabelText('Entry 2 account'), 'sales')
    await user.type(screen.getByLabelText('Entry 2 amount'), '-100')

    expect(screen.getByTestId('imbalance')).toHaveTextContent('Out of balance')
    expect(screen.getByTestId('residual-USD')).toHaveTextContent('+$0.10')
    const post = screen.getByRole('button', { name: 'Post' })
    expect(post).toBeDisabled()

    // Enter in a field submits the form: still refused.
    await user.type(screen.getByLabelText('Entry 2 memo'), 'x{Enter}')
    expect(onSubmit).not.toHaveBeenCalled()

    await user.clear(screen.getByLabelText('Entry 2 amount'))
    await user.type(screen.getByLabelText('Entry 2 amount'), '-100.10')
    expect(screen.getByTestId('imbalance')).toHaveTextContent('Balanced')
    expect(post).toBeEnabled()
    await user.click(post)
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        description: 'Split sale',
        entries: [
          { account_id: 'bank', amount: '100.10', memo: null, price: null },
          { account_id: 'sales', amount: '-100.10', memo: 'x', price: null },
        ],
      }),
    )
  })

  it('balances across currencies through a price, per currency', async () => {
    const { onSubmit, user } = setup()
    await user.type(screen.getByLabelText('Description'), 'FX')
    await user.selectOptions(screen.getByLabelText('Entry 1 account'), 'eur')
    await user.type(screen.getByLabelText('Entry 1 amount'), '-100')
    expect(screen.getByTestId('residual-EUR')).toHaveTextContent('-€100.00')
    await user.selectOptions(screen.getByLabelText('Entry 1 price currency'), 'USD')
    await user.type(screen.getByLabelText('Rate'), '1.0815')
    await user.selectOptions(screen.getByLabelText('Entry 2 account'), 'bank')
    await user.type(screen.getByLabelText('Entry 2 amount'), '108.15')
    expect(screen.getByTestId('imbalance')).toHaveTextContent('Balanced')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        entries: [
          { account_id: 'eur', amount: '-100', memo: null, price: { currency: 'USD', rate: '1.0815' } },
          { account_id: 'bank', amount: '108.15', memo: null, price: null },
        ],
      }),
    )
  })

  it('fills the residual into the next empty entry', async () => {
    const { user } = setup()
    await user.selectOptions(screen.getByLabelText('Entry 1 account'), 'bank')
    await user.type(screen.getByLabelText('Entry 1 amount'), '42.5')
    await user.selectOptions(screen.getByLabelText('Entry 2 account'), 'sales')
    await user.click(screen.getByRole('button', { name: /Balance with the next empty entry/ }))
    expect(screen.getByLabelText('Entry 2 amount')).toHaveValue('-42.50')
    expect(screen.getByTestId('imbalance')).toHaveTextContent('Balanced')
  })
})
