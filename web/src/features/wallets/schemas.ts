import { z } from 'zod'

import { blankToNull } from '@/lib/utils'

import type { PostPendingBody } from './api'

export const postPendingSchema = z.object({
  counter_account_id: z.string().min(1, 'validation.required'),
  category_id: z.string(),
  counterparty_id: z.string(),
  project_id: z.string(),
  fee_expense_account_id: z.string(),
  date: z.string().refine((d) => d === '' || /^\d{4}-\d{2}-\d{2}$/.test(d), 'validation.date'),
  description: z.string().max(500, 'validation.tooLong'),
})

export type PostPendingValues = z.infer<typeof postPendingSchema>

export const postPendingDefaults: PostPendingValues = {
  counter_account_id: '',
  category_id: '',
  counterparty_id: '',
  project_id: '',
  fee_expense_account_id: '',
  date: '',
  description: '',
}

export function postPendingToBody(v: PostPendingValues): PostPendingBody {
  return {
    counter_account_id: v.counter_account_id,
    category_id: blankToNull(v.category_id),
    counterparty_id: blankToNull(v.counterparty_id),
    project_id: blankToNull(v.project_id),
    fee_expense_account_id: blankToNull(v.fee_expense_account_id),
    date: blankToNull(v.date),
    description: blankToNull(v.description.trim()),
    tags: [],
  }
}
