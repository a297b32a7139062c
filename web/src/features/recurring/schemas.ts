import { z } from 'zod'

import { isDecimalString, normalizeAmountInput } from '@/lib/money'
import { blankToNull } from '@/lib/utils'

import type { Recurring, RecurringIn, Schedule } from './api'

/** The server's limits (domain::recurring). */
export const MAX_INTERVAL = 1000
export const MAX_CRON_CHARS = 200
export const MAX_NAME_CHARS = 200
export const MAX_DESCRIPTION_CHARS = 500
export const MIN_DATE = '1970-01-01'
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]
/** Template kinds the form edits; `entries` keeps a journal template's lines as they are. */
export type TemplateKind = 'income' | 'expense' | 'transfer' | 'entries'

const DATE = /^\d{4}-\d{2}-\d{2}$/
const wholeIn = (s: string, min: number, max: number) => /^\d{1,4}$/.test(s.trim()) && Number(s) >= min && Number(s) <= max
/** Days per month in a leap year: every day a yearly schedule can name. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

export const scheduleSchema = z
  .object({
    frequency: z.enum(['daily', 'weekly', 'monthly', 'yearly', 'cron']),
    interval: z.string(),
    weekdays: z.array(z.enum(WEEKDAYS)),
    day: z.string(),
    month: z.string(),
    expression: z.string(),
  })
  .superRefine((s, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
    if (s.frequency !== 'cron' && !wholeIn(s.interval, 1, MAX_INTERVAL)) issue('interval', 'validation.interval')
    if (s.frequency === 'weekly' && s.weekdays.length === 0) issue('weekdays', 'validation.weekdays')
    if (s.frequency === 'monthly' && !wholeIn(s.day, 1, 31)) issue('day', 'validation.monthDay')
    if (s.frequency === 'yearly') {
      if (!wholeIn(s.month, 1, 12)) issue('month', 'validation.monthNumber')
      else if (!wholeIn(s.day, 1, DAYS_IN_MONTH[Number(s.month) - 1])) issue('day', 'validation.dayOfMonth')
    }
    if (s.frequency === 'cron') {
      const e = s.expression.trim()
      if (!e) issue('expression', 'validation.required')
      else if (s.expression.length > MAX_CRON_CHARS) issue('expression', 'validation.tooLong')
      else if (![5, 6].includes(e.split(/\s+/).length)) issue('expression', 'validation.cronFields')
    }
  })

export type ScheduleValues = z.infer<typeof scheduleSchema>

const positive = z.string().refine((raw) => {
  const s = normalizeAmountInput(raw)
  return isDecimalString(s) && !s.startsWith('-') && !/^0+(\.0+)?$/.test(s)
}, 'validation.positive')

export const recurringSchema = z
  .object({
    name: z.string().trim().min(1, 'validation.required').max(MAX_NAME_CHARS, 'validation.tooLong'),
    start: z.string().regex(DATE, 'validation.date').refine((d) => d >= MIN_DATE, 'validation.dateTooEarly'),
    end: z.string().refine((d) => d === '' || DATE.test(d), 'validation.date'),
    schedule: scheduleSchema,
    kind: z.enum(['income', 'expense', 'transfer', 'entries']),
    description: z.string().trim().min(1, 'validation.required').max(MAX_DESCRIPTION_CHARS, 'validation.tooLong'),
    account_id: z.string(),
    other_account_id: z.string(),
    amount: z.string(),
    project_id: z.string(),
    category_id: z.string(),
    counterparty_id: z.string(),
    tags: z.string(),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
    if (v.end && DATE.test(v.end) && v.end < v.start) issue('end', 'validation.endBeforeStart')
    if (v.kind === 'entries') return
    if (!v.account_id) issue('account_id', 'validation.required')
    if (!v.other_account_id) issue('other_account_id', 'validation.required')
    else if (v.account_id === v.other_account_id) issue('other_account_id', 'validation.sameAccount')
    if (!positive.safeParse(v.amount).success) issue('amount', normalizeAmountInput(v.amount) ? 'validation.positive' : 'validation.required')
  })

export type RecurringValues = z.infer<typeof recurringSchema>

export const splitTags = (s: string) =>
  s
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)

export function scheduleToBody(s: ScheduleValues): Schedule {
  const interval = Number(s.interval)
  switch (s.frequency) {
    case 'daily':
      return { frequency: 'daily', interval }
    case 'weekly':
      return { frequency: 'weekly', interval, weekdays: WEEKDAYS.filter((d) => s.weekdays.includes(d)) }
    case 'monthly':
      return { frequency: 'monthly', interval, day: Number(s.day) }
    case 'yearly':
      return { frequency: 'yearly', interval, month: Number(s.month), day: Number(s.day) }
    case 'cron':
      return { frequency: 'cron', expression: s.expression.trim() }
  }
}

export function scheduleDefaults(s?: Schedule, start?: string): ScheduleValues {
  const base: ScheduleValues = { frequency: 'monthly', interval: '1', weekdays: [], day: start ? String(Number(start.slice(8, 10))) : '1', month: '1', expression: '' }
  if (!s) return base
  switch (s.frequency) {
    case 'daily':
      return { ...base, frequency: 'daily', interval: String(s.interval ?? 1) }
    case 'weekly':
      return { ...base, frequency: 'weekly', interval: String(s.interval ?? 1), weekdays: s.weekdays.filter((d): d is Weekday => (WEEKDAYS as readonly string[]).includes(d)) }
    case 'monthly':
      return { ...base, frequency: 'monthly', interval: String(s.interval ?? 1), day: String(s.day) }
    case 'yearly':
      return { ...base, frequency: 'yearly', interval: String(s.interval ?? 1), month: String(s.month), day: String(s.day) }
    case 'cron':
      return { ...base, frequency: 'cron', expression: s.expression }
  }
}

/** The form's values of a stored schedule (an income, expense or transfer template splits back into its two sides). */
export function recurringDefaults(r: Recurring | null | undefined, today: string): RecurringValues {
  const t = r?.template
  const debit = t?.entries.find((e) => !e.amount.startsWith('-'))
  const credit = t?.entries.find((e) => e.amount.startsWith('-'))
  const simple = t && t.entries.length === 2 && !t.entries.some((e) => e.price) && ['income', 'expense', 'transfer'].includes(t.kind)
  const kind: TemplateKind = !t ? 'expense' : simple ? (t.kind as TemplateKind) : 'entries'
  // income: money account debited; expense: money account credited; transfer: from = credit.
  const [money, other] = kind === 'income' ? [debit, credit] : kind === 'expense' ? [credit, debit] : [credit, debit]
  return {
    name: r?.name ?? '',
    start: r?.start ?? today,
    end: r?.end ?? '',
    schedule: scheduleDefaults(r?.schedule, r?.start ?? today),
    kind,
    description: t?.description ?? '',
    account_id: kind === 'entries' ? '' : (money?.account_id ?? ''),
    other_account_id: kind === 'entries' ? '' : (other?.account_id ?? ''),
    amount: kind === 'entries' ? '' : (debit?.amount ?? ''),
    project_id: t?.project_id ?? '',
    category_id: t?.category_id ?? '',
    counterparty_id: t?.counterparty_id ?? '',
    tags: (t?.tags ?? []).join(', '),
  }
}

/** The request body; `existing` supplies a journal template's entries, which the form keeps as they are. */
export function recurringToBody(v: RecurringValues, existing?: Recurring | null): RecurringIn {
  const amount = normalizeAmountInput(v.amount)
  const legs =
    v.kind === 'income'
      ? { income: { account_id: v.account_id, income_account_id: v.other_account_id, amount } }
      : v.kind === 'expense'
        ? { expense: { account_id: v.account_id, expense_account_id: v.other_account_id, amount } }
        : v.kind === 'transfer'
          ? { transfer: { from_account_id: v.account_id, to_account_id: v.other_account_id, amount } }
          : { entries: existing?.template.entries ?? [] }
  return {
    name: v.name.trim(),
    start: v.start,
    end: blankToNull(v.end),
    schedule: scheduleToBody(v.schedule),
    template: {
      description: v.description.trim(),
      ...legs,
      project_id: blankToNull(v.project_id),
      category_id: blankToNull(v.category_id),
      counterparty_id: blankToNull(v.counterparty_id),
      tags: splitTags(v.tags),
    },
  }
}

/** Maps a server error field (`schedule.day`, `template.income.amount`…) to the form's path. */
export function mapServerField(field: string): string {
  if (field.startsWith('schedule.')) return field
  const m = /^template\.(?:(?:income|expense|transfer)\.)?(\w+)$/.exec(field)
  if (m) {
    const leaf = m[1]
    if (['amount', 'description', 'project_id', 'category_id', 'counterparty_id', 'tags'].includes(leaf)) return leaf
    if (leaf === 'account_id' || leaf === 'from_account_id') return 'account_id'
    if (leaf.endsWith('account_id')) return 'other_account_id'
  }
  return field
}

export const FORM_FIELDS = [
  'name',
  'start',
  'end',
  'schedule.interval',
  'schedule.weekdays',
  'schedule.day',
  'schedule.month',
  'schedule.expression',
  'description',
  'account_id',
  'other_account_id',
  'amount',
  'project_id',
  'category_id',
  'counterparty_id',
  'tags',
]
