import { z } from 'zod'

import { CURRENCIES, currencyScale, decimalsOf, isDecimalString, normalizeAmountInput } from '@/lib/money'
import { TRON_ADDRESS } from '@/lib/tron'

export const accountSchema = z
  .object({
    name: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
    code: z.string().trim().max(50, 'validation.tooLong'),
    type: z.enum(['asset', 'liability', 'equity', 'income', 'expense']),
    kind: z.enum(['bank', 'cash', 'card', 'crypto_wallet', 'other']),
    currency: z.string().refine((c) => CURRENCIES.includes(c), 'validation.currency'),
    description: z.string().max(2000, 'validation.tooLong'),
    tron_address: z.string().trim(),
    opening_balance: z.string(),
    opening_date: z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.tron_address && !TRON_ADDRESS.test(v.tron_address)) {
      ctx.addIssue({ code: 'custom', path: ['tron_address'], message: 'validation.tronAddress' })
    }
    const ob = normalizeAmountInput(v.opening_balance)
    if (ob) {
      if (!isDecimalString(ob)) ctx.addIssue({ code: 'custom', path: ['opening_balance'], message: 'validation.amount' })
      else if (decimalsOf(ob) > currencyScale(v.currency)) ctx.addIssue({ code: 'custom', path: ['opening_balance'], message: 'validation.tooManyDecimals' })
    }
  })

export type AccountFormValues = z.infer<typeof accountSchema>
