import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import { I18nProvider } from '@/lib/i18n'

import type { RateBody } from '../api'
import { rateSchema } from '../schemas'
import { RateForm } from './rate-form'

vi.mock('react-hot-toast', () => ({ default: Object.assign(vi.fn(), { error: vi.fn(), success: vi.fn() }) }))

const now = () => '2026-11-26'

function setup(onSubmit = vi.fn(async (_b: RateBody) => {})) {
  render(
    <I18nProvider locale="en">
      <RateForm onSubmit={onSubmit} now={now} />
    </I18nProvider>,
  )
  return { onSubmit, user: userEvent.setup() }
}

describe('rateSchema', () => {
  const schema = rateSchema(now)
  const ok = { date: '2026-11-26', base: 'EUR', quote: 'USD', rate: '1.0876' }
  const messages = (v: object) => {
    const r = schema.safeParse({ ...ok, ...v })
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}:${i.message}`)
  }
  it('accepts a positive rate between two currencies on a past day', () => {
    expect(messages({})).toEqual([])
    expect(messages({ rate: '0,000012', date: '2020-01-01' })).toEqual([])
  })
  it('refuses what the server would', () => {
    expect(messages({ rate: '' })).toEqual(['rate:validation.required'])
    expect(messages({ rate: '0' })).toEqual(['rate:validation.positive'])
    expect(messages({ rate: '-1.2' })).toEqual(['rate:validation.positive'])
    expect(messages({ rate: 'abc' })).toEqual(['rate:validation.positive'])
    expect(messages({ quote: 'EUR' })).toEqual(['quote:validation.sameCurrencies'])
    expect(messages({ date: '2026-11-27' })).toEqual(['date:validation.futureDate'])
    expect(messages({ base: 'XYZ' })).toEqual(['base:validation.currency'])
  })
})

describe('RateForm', () => {
  it('shows validation messages and saves a valid rate', async () => {
    const { onSubmit, user } = setup()
    await user.selectOptions(screen.getByLabelText('Quote'), 'EUR')
    await user.type(screen.getByLabelText('Rate'), '-2')
    const date = screen.getByLabelText('Date')
    await user.clear(date)
    await user.type(date, '2026-12-01')
    await user.click(screen.getByRole('button', { name: 'Save rate' }))
    expect(await screen.findByText('Choose two different currencies')).toBeInTheDocument()
    expect(screen.getByText('Must be a positive number')).toBeInTheDocument()
    expect(screen.getByText('Must not be in the future')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()

    await user.selectOptions(screen.getByLabelText('Quote'), 'RUB')
    await user.clear(screen.getByLabelText('Rate'))
    await user.type(screen.getByLabelText('Rate'), '94,125')
    await user.clear(date)
    await user.type(date, '2026-11-20')
    await user.click(screen.getByRole('button', { name: 'Save rate' }))
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit.mock.calls[0][0]).toEqual({ date: '2026-11-20', base: 'EUR', quote: 'RUB', rate: '94.125' })
    // Ready for the next rate of the same pair.
    await waitFor(() => expect(screen.getByLabelText('Rate')).toHaveValue(''))
  })
})
