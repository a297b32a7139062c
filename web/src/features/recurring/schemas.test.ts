import { describe, expect, it } from 'vitest'

import { mapServerField, recurringDefaults, recurringSchema, recurringToBody, scheduleSchema, scheduleToBody, type RecurringValues, type ScheduleValues } from './schemas'

const schedule = (patch: Partial<ScheduleValues>): ScheduleValues => ({ frequency: 'monthly', interval: '1', weekdays: [], day: '31', month: '1', expression: '', ...patch })
const messages = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  Object.fromEntries((r.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]))

const values = (patch: Partial<RecurringValues>): RecurringValues => ({
  name: 'Office rent',
  start: '2026-01-31',
  end: '',
  schedule: schedule({}),
  kind: 'expense',
  description: 'Rent',
  account_id: 'bank',
  other_account_id: 'rent',
  amount: '1200,50',
  project_id: '',
  category_id: '',
  counterparty_id: '',
  tags: 'office, rent',
  ...patch,
})

describe('schedule validation mirrors domain::recurring', () => {
  it('accepts each kind in range', () => {
    expect(scheduleSchema.safeParse(schedule({ frequency: 'daily', interval: '1000' })).success).toBe(true)
    expect(scheduleSchema.safeParse(schedule({ frequency: 'weekly', weekdays: ['mon', 'thu'] })).success).toBe(true)
    expect(scheduleSchema.safeParse(schedule({ frequency: 'monthly', day: '31' })).success).toBe(true)
    expect(scheduleSchema.safeParse(schedule({ frequency: 'yearly', month: '2', day: '29' })).success).toBe(true)
    expect(scheduleSchema.safeParse(schedule({ frequency: 'cron', expression: '0 9 * * 1-5' })).success).toBe(true)
    expect(scheduleSchema.safeParse(schedule({ frequency: 'cron', expression: '0 0 9 1 * *' })).success).toBe(true)
  })

  it('refuses intervals outside 1..1000 and non-integers', () => {
    for (const interval of ['0', '1001', '1.5', '-1', '', 'x']) {
      expect(messages(scheduleSchema.safeParse(schedule({ frequency: 'daily', interval })))).toEqual({ interval: 'validation.interval' })
    }
  })

  it('needs a weekday for weekly schedules', () => {
    expect(messages(scheduleSchema.safeParse(schedule({ frequency: 'weekly', weekdays: [] })))).toEqual({ weekdays: 'validation.weekdays' })
  })

  it('keeps monthly days within 1..31 (later days fall on the month end, not refused)', () => {
    expect(messages(scheduleSchema.safeParse(schedule({ day: '0' })))).toEqual({ day: 'validation.monthDay' })
    expect(messages(scheduleSchema.safeParse(schedule({ day: '32' })))).toEqual({ day: 'validation.monthDay' })
  })

  it('refuses yearly days a month never has, like the server (leap year 2000)', () => {
    expect(messages(scheduleSchema.safeParse(schedule({ frequency: 'yearly', month: '2', day: '30' })))).toEqual({ day: 'validation.dayOfMonth' })
    expect(messages(scheduleSchema.safeParse(schedule({ frequency: 'yearly', month: '4', day: '31' })))).toEqual({ day: 'validation.dayOfMonth' })
    expect(messages(scheduleSchema.safeParse(schedule({ frequency: 'yearly', month: '13', day: '1' })))).toEqual({ month: 'validation.monthNumber' })
  })

  it('wants 5 or 6 cron fields and at most 200 characters', () => {
    expect(messages(scheduleSchema.safeParse(schedule({ frequency: 'cron', expression: '' })))).toEqual({ expression: 'validation.required' })
    expect(messages(scheduleSchema.safeParse(schedule({ frequency: 'cron', expression: '* * *' })))).toEqual({ expression: 'validation.cronFields' })
    expect(messages(scheduleSchema.safeParse(schedule({ frequency: 'cron', expression: `0 9 * * ${'1,'.repeat(100)}1` })))).toEqual({ expression: 'validation.tooLong' })
  })

  it('builds the API schedule with numbers and weekdays in week order', () => {
    expect(scheduleToBody(schedule({ frequency: 'weekly', interval: '2', weekdays: ['thu', 'mon'] }))).toEqual({ frequency: 'weekly', interval: 2, weekdays: ['mon', 'thu'] })
    expect(scheduleToBody(schedule({ frequency: 'monthly', day: '31' }))).toEqual({ frequency: 'monthly', interval: 1, day: 31 })
    expect(scheduleToBody(schedule({ frequency: 'cron', expression: '  0 9 * * 1 ' }))).toEqual({ frequency: 'cron', expression: '0 9 * * 1' })
  })
})

describe('recurring payment form', () => {
  it('accepts a monthly expense and builds the template without date or key', () => {
    const v = values({})
    expect(recurringSchema.safeParse(v).success).toBe(true)
    expect(recurringToBody(v)).toEqual({
      name: 'Office rent',
      start: '2026-01-31',
      end: null,
      schedule: { frequency: 'monthly', interval: 1, day: 31 },
      template: {
        description: 'Rent',
        expense: { account_id: 'bank', expense_account_id: 'rent', amount: '1200.50' },
        project_id: null,
        category_id: null,
        counterparty_id: null,
        tags: ['office', 'rent'],
      },
    })
  })

  it('refuses an end before the start, a date before 1970, a missing or zero amount, the same account twice', () => {
    expect(messages(recurringSchema.safeParse(values({ end: '2026-01-01' })))).toEqual({ end: 'validation.endBeforeStart' })
    expect(messages(recurringSchema.safeParse(values({ start: '1969-12-31', end: '' })))).toEqual({ start: 'validation.dateTooEarly' })
    expect(messages(recurringSchema.safeParse(values({ amount: '' })))).toEqual({ amount: 'validation.required' })
    expect(messages(recurringSchema.safeParse(values({ amount: '0' })))).toEqual({ amount: 'validation.positive' })
    expect(messages(recurringSchema.safeParse(values({ other_account_id: 'bank' })))).toEqual({ other_account_id: 'validation.sameAccount' })
    expect(messages(recurringSchema.safeParse(values({ name: '  ' })))).toEqual({ name: 'validation.required' })
  })

  it('splits a stored income template back into its two sides', () => {
    const stored = {
      name: 'Retainer',
      start: '2026-03-01',
      end: null,
      schedule: { frequency: 'monthly' as const, interval: 1, day: 1 },
      template: {
        kind: 'income' as const,
        description: 'Retainer',
        entries: [
          { account_id: 'bank', amount: '500.00' },
          { account_id: 'fees', amount: '-500.00' },
        ],
        tags: [],
      },
    }
    const d = recurringDefaults(stored as never, '2026-01-01')
    expect(d).toMatchObject({ kind: 'income', account_id: 'bank', other_account_id: 'fees', amount: '500.00', schedule: { frequency: 'monthly', day: '1' } })
  })

  it('maps server fields to the form', () => {
    expect(mapServerField('schedule.day')).toBe('schedule.day')
    expect(mapServerField('template.expense.amount')).toBe('amount')
    expect(mapServerField('template.expense.expense_account_id')).toBe('other_account_id')
    expect(mapServerField('template.transfer.from_account_id')).toBe('account_id')
    expect(mapServerField('template.description')).toBe('description')
  })
})
