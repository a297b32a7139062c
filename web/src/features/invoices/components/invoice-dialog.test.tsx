import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { describe, expect, it, vi } from 'vitest'

import type { Counterparty } from '@/hooks/use-lookups'
import { ApiError } from '@/lib/api/problem'
import { I18nProvider } from '@/lib/i18n'

import type { InvoiceIn } from '../api'
import { InvoiceEditor, type InvoiceRefs } from './invoice-dialog'

const acme = { id: 'acme', name: 'Acme', kind: 'customer', archived: false, created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z', version: 1 } as Counterparty
const refs: InvoiceRefs = { projects: [], categories: [], counterparties: [acme] }

function setup(onSubmit: (body: InvoiceIn) => Promise<void> = vi.fn(async () => {})) {
  render(
    <I18nProvider locale="en">
      <MemoryRouter>
        <InvoiceEditor refs={refs} onSubmit={onSubmit} onCancel={() => {}} />
      </MemoryRouter>
    </I18nProvider>,
  )
  return { onSubmit, user: userEvent.setup() }
}

describe('InvoiceEditor', () => {
  it('refuses an empty draft and bad lines with field messages', async () => {
    const { onSubmit, user } = setup()
    await user.clear(screen.getByLabelText('Quantity 1'))
    await user.type(screen.getByLabelText('Quantity 1'), '0')
    await user.type(screen.getByLabelText('Unit price 1'), '-2')
    await user.click(screen.getByRole('button', { name: 'Create' }))
    // The counterparty and the line's description.
    expect((await screen.findAllByText('Required')).length).toBe(2)
    expect(screen.getByText('Must be a positive number')).toBeInTheDocument()
    expect(screen.getByText('Must not be negative')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()
  })

  it('keeps a running total rounded per line to the currency scale and posts the lines', async () => {
    const { onSubmit, user } = setup()
    await user.selectOptions(screen.getByLabelText('Counterparty'), 'acme')
    await user.type(screen.getByLabelText('Description 1'), 'Work')
    await user.clear(screen.getByLabelText('Quantity 1'))
    await user.type(screen.getByLabelText('Quantity 1'), '3')
    await user.type(screen.getByLabelText('Unit price 1'), '0,125')
    const first = screen.getAllByTestId('invoice-line')[0]
    expect(within(first).getByTestId('line-amount')).toHaveTextContent('$0.38')
    await user.click(screen.getByRole('button', { name: 'Add line' }))
    await user.type(screen.getByLabelText('Description 2'), 'More')
    await user.type(screen.getByLabelText('Unit price 2'), '0.125')
    expect(screen.getByTestId('invoice-total')).toHaveTextContent('$0.50')
    await user.selectOptions(screen.getByLabelText('Currency'), 'JPY')
    expect(screen.getByTestId('invoice-total')).toHaveTextContent('¥0')
    await user.selectOptions(screen.getByLabelText('Currency'), 'USD')
    await user.click(screen.getByRole('button', { name: 'Create' }))
    expect(onSubmit).toHaveBeenCalledTimes(1)
    const body = (onSubmit as ReturnType<typeof vi.fn>).mock.calls[0][0] as InvoiceIn
    expect(body.counterparty_id).toBe('acme')
    expect(body.lines).toEqual([
      { description: 'Work', quantity: '3', unit_price: '0.125', project_id: null, category_id: null },
      { description: 'More', quantity: '1', unit_price: '0.125', project_id: null, category_id: null },
    ])
  })

  it('shows a refusal of the server on the line field it names', async () => {
    const refuse = vi.fn(async () => {
      throw new ApiError(422, { detail: 'too many decimals', field: 'lines[0].quantity', code: 'invalid' }, 'x')
    })
    const { user } = setup(refuse)
    await user.selectOptions(screen.getByLabelText('Counterparty'), 'acme')
    await user.type(screen.getByLabelText('Description 1'), 'Work')
    await user.type(screen.getByLabelText('Unit price 1'), '5')
    await user.click(screen.getByRole('button', { name: 'Create' }))
    expect(await screen.findAllByText('too many decimals')).not.toHaveLength(0)
    expect(screen.getByLabelText('Quantity 1')).toHaveAttribute('aria-invalid', 'true')
  })
})
