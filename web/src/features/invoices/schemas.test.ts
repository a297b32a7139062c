import { describe, expect, it } from 'vitest'

import { emptyLine, invoiceDefaults, invoiceSchema, invoiceToBody, invoiceTotal, lineAmount, mapServerField, type InvoiceValues } from './schemas'

const valid = (over: Partial<InvoiceValues> = {}): InvoiceValues => ({
  ...invoiceDefaults(null, '2026-03-01'),
  counterparty_id: '00000000-0000-0000-0000-000000000001',
  lines: [{ ...emptyLine(), description: 'Consulting', quantity: '3', unit_price: '100.005' }],
  ...over,
})

const messages = (v: InvoiceValues) => {
  const r = invoiceSchema.safeParse(v)
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]))
}

describe('invoice line totals', () => {
  it('rounds each line half-even to the currency scale, then adds', () => {
    expect(lineAmount({ quantity: '3', unit_price: '100.005' }, 'USD')).toBe('300.02')
    expect(lineAmount({ quantity: '1', unit_price: '0.125' }, 'USD')).toBe('0.12')
    expect(lineAmount({ quantity: '1', unit_price: '0.135' }, 'USD')).toBe('0.14')
    expect(invoiceTotal([{ quantity: '1', unit_price: '0.125' }, { quantity: '1', unit_price: '0.125' }], 'USD')).toBe('0.24')
  })

  it('uses the scale of the currency', () => {
    expect(lineAmount({ quantity: '2', unit_price: '100.4' }, 'JPY')).toBe('201')
    expect(lineAmount({ quantity: '0.5', unit_price: '1.0000015' }, 'USDT')).toBe('0.500001')
    expect(invoiceTotal([{ quantity: '1,5', unit_price: '2' }], 'BTC')).toBe('3.00000000')
  })

  it('treats an unparsable line as nothing yet', () => {
    expect(lineAmount({ quantity: 'x', unit_price: '1' }, 'USD')).toBeNull()
    expect(invoiceTotal([{ quantity: 'x', unit_price: '1' }, { quantity: '2', unit_price: '1.5' }], 'USD')).toBe('3.00')
  })
})

describe('invoice form validation', () => {
  it('accepts a complete draft and builds the request body', () => {
    const v = valid({ notes: '  ', lines: [{ ...emptyLine(), description: ' Hosting ', quantity: '2', unit_price: '1 000,50' }] })
    expect(messages(v)).toEqual({})
    const body = invoiceToBody(v)
    expect(body.lines[0]).toEqual({ description: 'Hosting', quantity: '2', unit_price: '1000.50', project_id: null, category_id: null })
    expect(body.notes).toBeNull()
  })

  it('refuses bad lines with field-level messages', () => {
    const lines = [
      { ...emptyLine(), description: '', quantity: '0', unit_price: '-1' },
      { ...emptyLine(), description: 'a', quantity: '1.1234567', unit_price: 'abc' },
    ]
    expect(messages(valid({ lines }))).toEqual({
      'lines.0.description': 'validation.required',
      'lines.0.quantity': 'validation.positive',
      'lines.0.unit_price': 'validation.notNegative',
      'lines.1.quantity': 'validation.tooManyDecimals',
      'lines.1.unit_price': 'validation.number',
    })
  })

  it('needs a counterparty, at least one line and a due date not before the issue date', () => {
    expect(messages(valid({ counterparty_id: '', lines: [], due_date: '2026-02-01' }))).toEqual({
      counterparty_id: 'validation.required',
      lines: 'validation.invoiceLines',
      due_date: 'validation.dueBeforeIssue',
    })
    expect(messages(valid({ due_date: '2036-04-01' }))).toEqual({ due_date: 'validation.termTooLong' })
  })

  it('maps server fields onto form paths', () => {
    expect(mapServerField('lines[3].unit_price')).toBe('lines.3.unit_price')
    expect(mapServerField('due_date')).toBe('due_date')
  })
})
