import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import type { Account } from '@/hooks/use-lookups'
import { testAccount } from '@/test/fixtures'
import { I18nProvider, type Locale } from '@/lib/i18n'

import type { Refs } from '../lib/meta'
import { TransferForm } from './transfer-form'

const account = (id: string, name: string, currency: string): Account => testAccount({ id, name, currency, kind: 'bank' })

const refs: Refs = {
  accounts: [account('bank', 'Bank', 'USD'), account('cash', 'Cash', 'USD'), account('eur', 'Euro bank', 'EUR'), account('usdt', 'Wallet', 'USDT')],
  projects: [],
  categories: [],
  counterparties: [],
}

/** ICU uses (narrow) no-break spaces; compare with plain spaces. */
const plain = (s: string | null) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ')

function setup(locale: Locale = 'en') {
  const onSubmit = vi.fn(async () => {})
  render(
    <I18nProvider locale={locale}>
      <TransferForm refs={refs} onSubmit={onSubmit} onCancel={() => {}} />
    </I18nProvider>,
  )
  return { onSubmit, user: userEvent.setup() }
}

describe('TransferForm', () => {
  it('moves an amount between two accounts of one currency, with no rate asked', async () => {
    const { onSubmit, user } = setup()
    await user.type(screen.getByLabelText('Description'), 'To the till')
    await user.selectOptions(screen.getByLabelText('From'), 'bank')
    await user.selectOptions(screen.getByLabelText('To'), 'bank')
    await user.type(screen.getByLabelText('Amount (USD)'), '250')
    expect(screen.queryByLabelText('Rate')).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Post' }))
    expect(await screen.findByText('Choose two different accounts')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()

    await user.selectOptions(screen.getByLabelText('To'), 'cash')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ description: 'To the till', transfer: { from_account_id: 'bank', to_account_id: 'cash', amount: '250' } }),
    )
  })

  it('across currencies asks for the rate and shows what arrives, rounded half-even to the scale', async () => {
    const { onSubmit, user } = setup()
    await user.type(screen.getByLabelText('Description'), 'FX')
    await user.selectOptions(screen.getByLabelText('From'), 'eur')
    await user.selectOptions(screen.getByLabelText('To'), 'bank')
    await user.type(screen.getByLabelText('Amount (EUR)'), '100.05')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    expect(await screen.findByText('Must be a positive number')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()

    // 100.05 × 1.0815 = 108.204075 → $108.20
    await user.type(screen.getByLabelText('Rate'), '1.0815')
    expect(screen.getByText('Receives $108.20')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ transfer: { from_account_id: 'eur', to_account_id: 'bank', amount: '100.05', rate: '1.0815' } }),
    )
  })

  it('can take the amount received instead of a rate', async () => {
    const { onSubmit, user } = setup()
    await user.type(screen.getByLabelText('Description'), 'Top up')
    await user.selectOptions(screen.getByLabelText('From'), 'bank')
    await user.selectOptions(screen.getByLabelText('To'), 'usdt')
    await user.type(screen.getByLabelText('Amount (USD)'), '50')
    await user.selectOptions(screen.getByLabelText('Conversion'), 'to_amount')
    await user.type(screen.getByLabelText('Received'), '49.9')
    expect(plain(screen.getByText(/^Receives/).textContent)).toBe('Receives 49.900000 USDT')
    await user.click(screen.getByRole('button', { name: 'Post' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ transfer: { from_account_id: 'bank', to_account_id: 'usdt', amount: '50', to_amount: '49.9' } }))
  })

  it('in Russian takes a decimal comma and grouping spaces, and formats for the locale', async () => {
    const { onSubmit, user } = setup('ru')
    await user.type(screen.getByLabelText('Описание'), 'Обмен')
    await user.selectOptions(screen.getByLabelText('Откуда'), 'eur')
    await user.selectOptions(screen.getByLabelText('Куда'), 'bank')
    await user.type(screen.getByLabelText('Сумма (EUR)'), '1 000,5')
    await user.type(screen.getByLabelText('Курс'), '1,1')
    expect(plain(screen.getByText(/^Будет зачислено/).textContent)).toBe('Будет зачислено 1 100,55 $')
    await user.click(screen.getByRole('button', { name: 'Провести' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ transfer: { from_account_id: 'eur', to_account_id: 'bank', amount: '1000.5', rate: '1.1' } }))
  })
})
