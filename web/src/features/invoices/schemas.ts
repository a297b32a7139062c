import Decimal from 'decimal.js'
import { z } from 'zod'

import { currencyScale, decimalsOf, isDecimalString, normalizeAmountInput, toScale } from '@/lib/money'
import { blankToNull } from '@/lib/utils'

import type { InvoiceDetail, InvoiceIn } from './api'

/** The server's limits (domain::invoice). */
export const MAX_LINES = 200
export const MAX_LINE_DESCRIPTION_CHARS = 500
export const MAX_NOTES_CHARS = 2000
export const MAX_EXTERNAL_NUMBER_CHARS = 100
export const MAX_QUANTITY_DECIMALS = 6
export const MAX_UNIT_PRICE_DECIMALS = 10
export const MAX_QUANTITY = '1000000000'
export const MAX_TERM_DAYS = 3660

const DATE = /^\d{4}-\d{2}-\d{2}$/
const DAY_MS = 86_400_000

const decimal = (raw: string) => {
  const s = normalizeAmountInput(raw)
  return isDecimalString(s) ? s : null
}

const lineSchema = z
  .object({
    description: z.string().trim().min(1, 'validation.required').max(MAX_LINE_DESCRIPTION_CHARS, 'validation.tooLong'),
    quantity: z.string(),
    unit_price: z.string(),
    project_id: z.string(),
    category_id: z.string(),
  })
  .superRefine((l, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
    const q = decimal(l.quantity)
    if (!q) issue('quantity', l.quantity.trim() ? 'validation.number' : 'validation.required')
    else if (new Decimal(q).lte(0)) issue('quantity', 'validation.positive')
    else if (new Decimal(q).gt(MAX_QUANTITY)) issue('quantity', 'validation.tooLarge')
    else if (decimalsOf(q) > MAX_QUANTITY_DECIMALS) issue('quantity', 'validation.tooManyDecimals')
    const p = decimal(l.unit_price)
    if (!p) issue('unit_price', l.unit_price.trim() ? 'validation.number' : 'validation.required')
    else if (p.startsWith('-')) issue('unit_price', 'validation.notNegative')
    else if (decimalsOf(p) > MAX_UNIT_PRICE_DECIMALS) issue('unit_price', 'validation.tooManyDecimals')
  })

export const invoiceSchema = z
  .object({
    direction: z.enum(['receivable', 'payable']),
    counterparty_id: z.string().min(1, 'validation.required'),
    currency: z.string().regex(/^[A-Z0-9]{3,5}$/, 'validation.currency'),
    issue_date: z.string().regex(DATE, 'validation.date'),
    due_date: z.string().regex(DATE, 'validation.date'),
    external_number: z.string().max(MAX_EXTERNAL_NUMBER_CHARS, 'validation.tooLong'),
    notes: z.string().max(MAX_NOTES_CHARS, 'validation.tooLong'),
    lines: z.array(lineSchema).min(1, 'validation.invoiceLines').max(MAX_LINES, 'validation.invoiceLines'),
  })
  .superRefine((v, ctx) => {
    if (!DATE.test(v.issue_date) || !DATE.test(v.due_date)) return
    const days = (Date.parse(v.due_date) - Date.parse(v.issue_date)) / DAY_MS
    if (days < 0) ctx.addIssue({ code: 'custom', path: ['due_date'], message: 'validation.dueBeforeIssue' })
    else if (days > MAX_TERM_DAYS) ctx.addIssue({ code: 'custom', path: ['due_date'], message: 'validation.termTooLong' })
  })

export type InvoiceValues = z.infer<typeof invoiceSchema>
export type LineValues = InvoiceValues['lines'][number]

/** A line's amount as the server computes it: quantity × unit price, half-even to the currency's scale; null while unparsable. */
export function lineAmount(line: Pick<LineValues, 'quantity' | 'unit_price'>, currency: string): string | null {
  const q = decimal(line.quantity)
  const p = decimal(line.unit_price)
  if (!q || !p) return null
  return toScale(new Decimal(q).times(p), currencyScale(currency))
}

/** The invoice total: the sum of the rounded line amounts (unparsable lines count as zero). */
export function invoiceTotal(lines: Pick<LineValues, 'quantity' | 'unit_price'>[], currency: string): string {
  const scale = currencyScale(currency)
  let total = new Decimal(0)
  for (const l of lines) total = total.plus(lineAmount(l, currency) ?? 0)
  return toScale(total, scale)
}

export const emptyLine = (): LineValues => ({ description: '', quantity: '1', unit_price: '', project_id: '', category_id: '' })

export function invoiceDefaults(inv: InvoiceDetail | null | undefined, today: string): InvoiceValues {
  const due = new Date(Date.parse(today) + 30 * DAY_MS).toISOString().slice(0, 10)
  return {
    direction: inv?.direction === 'payable' ? 'payable' : 'receivable',
    counterparty_id: inv?.counterparty_id ?? '',
    currency: inv?.currency ?? 'USD',
    issue_date: inv?.issue_date ?? today,
    due_date: inv?.due_date ?? due,
    external_number: inv?.external_number ?? '',
    notes: inv?.notes ?? '',
    lines: inv?.lines.length
      ? inv.lines.map((l) => ({ description: l.description, quantity: l.quantity, unit_price: l.unit_price, project_id: l.project_id ?? '', category_id: l.category_id ?? '' }))
      : [emptyLine()],
  }
}

export function invoiceToBody(v: InvoiceValues): InvoiceIn {
  return {
    direction: v.direction,
    counterparty_id: v.counterparty_id,
    currency: v.currency,
    issue_date: v.issue_date,
    due_date: v.due_date,
    external_number: blankToNull(v.external_number.trim()),
    notes: blankToNull(v.notes.trim()),
    lines: v.lines.map((l) => ({
      description: l.description.trim(),
      quantity: normalizeAmountInput(l.quantity),
      unit_price: normalizeAmountInput(l.unit_price),
      project_id: blankToNull(l.project_id),
      category_id: blankToNull(l.category_id),
    })),
  }
}

export const FORM_FIELDS = ['counterparty_id', 'currency', 'issue_date', 'due_date', 'external_number', 'notes', 'lines']

/** Maps a server field (`lines[2].quantity`) to the form's path (`lines.2.quantity`). */
export function mapServerField(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1')
}
