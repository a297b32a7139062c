import { z } from 'zod'

import { currencyScale, decimalsOf, isDecimalString, normalizeAmountInput } from '@/lib/money'

const requiredId = z.string().min(1, 'validation.required')
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'validation.date')

export const newPayoutSchema = z
  .object({ program_id: requiredId, from: isoDay, to: isoDay })
  .refine((v) => v.from <= v.to, { path: ['to'], message: 'validation.periodOrder' })
export type NewPayoutFormValues = z.infer<typeof newPayoutSchema>

export const approvePayoutSchema = z.object({
  receivable_account_id: requiredId,
  revenue_account_id: requiredId,
  category_id: z.string(),
  date: isoDay,
})
export type ApprovePayoutFormValues = z.infer<typeof approvePayoutSchema>

/** An on-chain transaction hash as the server accepts it: 64 hexadecimal characters. */
export const TX_HASH = /^[0-9a-fA-F]{64}$/

/**
 * Marking a payout paid. The amount received is required when the account's currency differs
 * from the payout's (the server cannot know the rate the money arrived at); otherwise it is
 * optional (blank: the payout's total). `accountCurrency` looks up the chosen account's currency.
 */
export function payPayoutSchema(payoutCurrency: string, accountCurrency: (id: string) => string | undefined) {
  return z
    .object({ account_id: requiredId, amount: z.string(), tx_hash: z.string().trim(), date: isoDay })
    .superRefine((v, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
      const currency = accountCurrency(v.account_id)
      const amount = normalizeAmountInput(v.amount)
      if (!amount) {
        if (currency && currency !== payoutCurrency) issue('amount', 'validation.amountOtherCurrency')
      } else if (!isDecimalString(amount) || amount.startsWith('-') || Number(amount) <= 0) issue('amount', 'validation.positive')
      else if (decimalsOf(amount) > currencyScale(currency ?? payoutCurrency)) issue('amount', 'validation.tooManyDecimals')
      if (v.tx_hash && !TX_HASH.test(v.tx_hash)) issue('tx_hash', 'validation.txHash')
    })
}
export type PayPayoutFormValues = z.infer<ReturnType<typeof payPayoutSchema>>
