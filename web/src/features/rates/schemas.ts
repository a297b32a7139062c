import { z } from 'zod'

import { CURRENCIES, isDecimalString, normalizeAmountInput } from '@/lib/money'
import { today } from '@/lib/utils'

const currency = z.string().refine((c) => CURRENCIES.includes(c), 'validation.currency')

/** The most decimals a rate may have (MAX_RATE_DECIMALS, domain/src/rates.rs). */
export const RATE_DECIMALS = 12

/** A rate entered by hand: 1 base = rate quote on a day that is not in the future. */
export function rateSchema(now: () => string = today) {
  return z
    .object({
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'validation.date'),
      base: currency,
      quote: currency,
      rate: z.string(),
    })
    .superRefine((v, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
      if (v.base === v.quote) issue('quote', 'validation.sameCurrencies')
      if (/^\d{4}-\d{2}-\d{2}$/.test(v.date) && v.date > now()) issue('date', 'validation.futureDate')
      const r = normalizeAmountInput(v.rate)
      if (!r) issue('rate', 'validation.required')
      else if (!isDecimalString(r) || r.startsWith('-') || Number(r) <= 0) issue('rate', 'validation.positive')
      else if ((r.split('.')[1]?.length ?? 0) > RATE_DECIMALS) issue('rate', 'validation.tooManyDecimals')
    })
}
export type RateFormValues = z.infer<ReturnType<typeof rateSchema>>
