import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import type { Account } from '@/hooks/use-lookups'
import { testAccount } from '@/test/fixtures'
import { ApiError } from '@/lib/api/problem'
import { I18nProvider } from '@/lib/i18n'

import type { Transaction, TransactionIn } from '../api'
import type { Refs } from '../lib/meta'
import { JournalForm } from './journal-form'

const HASH = 'AB'.repeat(32)
const FROM = 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8'
const TO = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'

const account = (id: string, name: string, currency: string, type: Account['type'], kind: Account['kind'] = 'other'): Account =>
  testAccount({ id, name, currency, type, kind })

const refs: Refs = {
  accounts: [
    account('usdt', 'USDT wallet', 'USDT', 'asset', 'crypto_wallet'),
    account('trx', 'TRX wallet', 'TRX', 'asset', 'crypto_wallet'),
    account('sales', 'Crypto sales', 'USDT', 'income'),
    account('fees', 'Network fees', 'TRX', 'expense'),
    account('bank', 'Bank', 'USDT', 'asset', 'bank'),
  ],
  projects: [],
  categories: [],
  counterparties: [],
}

function setup(onSubmit: (body: TransactionIn) => Promise<void> = vi.fn(async () => {}), initial?: Transaction) {
  render(
    <I18nProvider locale="en">
      <JournalForm refs={refs} initial={initial} onSubmit={onSubmit} onCancel={() => {}} />
    </I18nProvider>,
  )
  return { onSubmit, user: userEvent.setup() }
}

type User = ReturnType<typeof userEvent.setup>

async function fillSale(user: User, wallet = 'usdt') {
  await user.type(screen.getByLabelText('Description'), 'Sale in USDT')
  await user.selectOptions(screen.getByLabelText('Entry 1 account'), 'sales')
  await user.type(screen.getByLabelText('Entry 1 amount'), '-1500.25')
  await user.selectOptions(screen.getByLabelText('Entry 2 account'), wallet)
  await user.type(screen.getByLabelText('Entry 2 amount'), '1500.25')
}

describe('JournalForm crypto details', () => {
  it('offers the crypto block only while an entry is on a crypto wallet', async () => {
    const { user } = setup()
    expect(screen.queryByTestId('crypto-fields')).toBeNull()
    await user.selectOptions(screen.getByLabelText('Entry 1 account'), 'bank')
    expect(screen.queryByTestId('crypto-fields')).toBeNull()
    await user.selectOptions(screen.getByLabelText('Entry 2 account'), 'usdt')
    expect(screen.getByTestId('crypto-fields')).toBeInTheDocument()
    await user.click(screen.getByLabelText('On-chain transfer (Tron): add its details'))
    // The wallet's token, not a choice.
    expect(screen.getByLabelText('Token')).toHaveValue('USDT')
    expect(screen.getByLabelText('Token')).toHaveAttribute('readonly')
  })

  it('checks the hash and addresses as the server does, then posts the details with the wallet entry’s amount', async () => {
    const { onSubmit, user } = setup()
    await fillSale(user)
    await user.click(screen.getByLabelText('On-chain transfer (Tron): add its details'))
    await user.type(screen.getByLabelText('Transaction hash'), 'not-a-hash')
    await user.type(screen.getByLabelText('From address'), '0x1234')
    // 34 characters starting with T, but with a 0 (not base58).
    await user.type(screen.getByLabelText('To address'), 'T0RabPrwbZy45sbavfcjinPJC18kjpRTv8')
    await user.type(screen.getByLabelText('Fee (TRX)'), '1.1234567')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    expect(await screen.findByText('A transaction hash is 64 hexadecimal characters')).toBeInTheDocument()
    expect(screen.getByLabelText('From address')).toHaveAccessibleDescription('A Tron address starts with T and has 34 characters')
    expect(screen.getByLabelText('To address')).toHaveAccessibleDescription('A Tron address starts with T and has 34 characters')
    expect(screen.getByLabelText('Fee (TRX)')).toHaveAttribute('aria-invalid', 'true')
    expect(onSubmit).not.toHaveBeenCalled()

    await user.clear(screen.getByLabelText('Transaction hash'))
    await user.type(screen.getByLabelText('Transaction hash'), ` ${HASH} `)
    await user.clear(screen.getByLabelText('From address'))
    await user.type(screen.getByLabelText('From address'), FROM)
    await user.clear(screen.getByLabelText('To address'))
    await user.type(screen.getByLabelText('To address'), TO)
    await user.clear(screen.getByLabelText('Fee (TRX)'))
    await user.type(screen.getByLabelText('Fee (TRX)'), '13,5')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        description: 'Sale in USDT',
        crypto: { network: 'tron', token: 'USDT', tx_hash: HASH.toLowerCase(), from: FROM, to: TO, amount: '1500.25', fee_trx: '13.5' },
        entries: [
          { account_id: 'sales', amount: '-1500.25', memo: null, price: null },
          { account_id: 'usdt', amount: '1500.25', memo: null, price: null },
        ],
      }),
    )
  })

  it('posts without crypto when the block is left unticked, or ticked and the wallet entry removed', async () => {
    const { onSubmit, user } = setup()
    await fillSale(user)
    await user.click(screen.getByLabelText('On-chain transfer (Tron): add its details'))
    await user.type(screen.getByLabelText('Transaction hash'), 'bad')
    // Not a wallet any more: the block goes and its half-typed details do not stop the posting.
    await user.selectOptions(screen.getByLabelText('Entry 2 account'), 'bank')
    expect(screen.queryByTestId('crypto-fields')).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ crypto: null }))
  })

  it('ties the details to the chosen wallet entry when there are several', async () => {
    const { onSubmit, user } = setup()
    await user.type(screen.getByLabelText('Description'), 'Sale and fee')
    await user.selectOptions(screen.getByLabelText('Entry 1 account'), 'sales')
    await user.type(screen.getByLabelText('Entry 1 amount'), '-100')
    await user.selectOptions(screen.getByLabelText('Entry 2 account'), 'usdt')
    await user.type(screen.getByLabelText('Entry 2 amount'), '100')
    await user.click(screen.getByRole('button', { name: 'Add entry' }))
    await user.selectOptions(screen.getByLabelText('Entry 3 account'), 'fees')
    await user.type(screen.getByLabelText('Entry 3 amount'), '2.5')
    await user.click(screen.getByRole('button', { name: 'Add entry' }))
    await user.selectOptions(screen.getByLabelText('Entry 4 account'), 'trx')
    await user.type(screen.getByLabelText('Entry 4 amount'), '-2.5')
    await user.click(screen.getByLabelText('On-chain transfer (Tron): add its details'))
    const legSelect = screen.getByLabelText('On-chain transfer of')
    expect(legSelect).toHaveValue('1')
    expect(screen.getByLabelText('Token')).toHaveValue('USDT')
    await user.selectOptions(legSelect, '3')
    expect(screen.getByLabelText('Token')).toHaveValue('TRX')
    await user.type(screen.getByLabelText('Transaction hash'), HASH)
    await user.type(screen.getByLabelText('From address'), TO)
    await user.type(screen.getByLabelText('To address'), FROM)
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ crypto: expect.objectContaining({ token: 'TRX', amount: '2.5', from: TO, fee_trx: '0' }) }))
  })

  it('shows the server’s refusals on the field they name: a bad checksum on the address, the amount on the wallet entry', async () => {
    const onSubmit = vi
      .fn<(body: TransactionIn) => Promise<void>>()
      .mockRejectedValueOnce(new ApiError(422, { code: 'validation_failed', detail: 'bad base58check checksum', field: 'crypto.from' }, 'HTTP 422'))
      .mockRejectedValueOnce(new ApiError(422, { code: 'validation_failed', detail: 'no crypto_wallet entry of 1500.25 USDT matches', field: 'crypto.amount' }, 'HTTP 422'))
    const { user } = setup(onSubmit)
    await fillSale(user)
    await user.click(screen.getByLabelText('On-chain transfer (Tron): add its details'))
    await user.type(screen.getByLabelText('Transaction hash'), HASH)
    await user.type(screen.getByLabelText('From address'), FROM)
    await user.type(screen.getByLabelText('To address'), TO)
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(screen.getByLabelText('From address')).toHaveAccessibleDescription('bad base58check checksum'))
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2))
    expect(await screen.findByText('no crypto_wallet entry of 1500.25 USDT matches')).toBeInTheDocument()
    expect(screen.getByLabelText('Entry 2 amount')).toHaveAttribute('aria-invalid', 'true')
  })

  it('edits a journal with its crypto details on the wallet entry of the same amount', async () => {
    const initial = {
      id: 'tx1',
      date: '2025-03-01',
      description: 'Sale in USDT',
      kind: 'journal',
      tags: [],
      entries: [
        { account_id: 'sales', amount: '-1500.25', currency: 'USDT' },
        { account_id: 'usdt', amount: '1500.25', currency: 'USDT' },
      ],
      crypto: { network: 'tron', token: 'USDT', tx_hash: HASH.toLowerCase(), from: FROM, to: TO, amount: '1500.250000', fee_trx: '0.000000' },
    } as unknown as Transaction
    const { onSubmit, user } = setup(undefined, initial)
    expect(screen.getByLabelText('On-chain transfer (Tron): add its details')).toBeChecked()
    expect(screen.getByLabelText('From address')).toHaveValue(FROM)
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ crypto: expect.objectContaining({ tx_hash: HASH.toLowerCase(), amount: '1500.25', fee_trx: '0.000000' }) }))
  })
})
