import { z } from 'zod'

import { CURRENCIES, currencyScale, decimalsOf, isDecimalString, normalizeAmountInput } from '@/lib/money'

/** Limits the server enforces (domain/src/traffic.rs). */
export const MAX_CAMPAIGN_KEYS = 50
export const MAX_KEY_CHARS = 200
export const MAX_OFFER_COUNTRIES = 250

const name = z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong')
const notes = z.string().max(2000, 'validation.tooLong')
const currency = z.string().refine((c) => CURRENCIES.includes(c), 'validation.currency')
const url = (max: number) =>
  z
    .string()
    .trim()
    .max(max, 'validation.tooLong')
    .refine((v) => v === '' || /^https?:\/\/\S+$/i.test(v), 'validation.url')
const requiredId = z.string().min(1, 'validation.required')

/** Whether the runtime knows `tz` as an IANA time zone. */
export function isTimeZone(tz: string): boolean {
  if (!tz.trim()) return false
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz.trim() })
    return true
  } catch {
    return false
  }
}

export const sourceSchema = z.object({
  name,
  kind: z.enum(['mobile_dsp', 'ad_network', 'push', 'native', 'social', 'search', 'other']),
  currency,
  timezone: z.string().trim().refine(isTimeZone, 'validation.timezone'),
  website: url(500),
  notes,
})
export type SourceFormValues = z.infer<typeof sourceSchema>

export const programSchema = z.object({
  name,
  counterparty_id: requiredId,
  currency,
  website: url(500),
  notes,
})
export type ProgramFormValues = z.infer<typeof programSchema>

export const COUNTRY_CODE = /^[A-Z]{2}$/

export const offerSchema = z
  .object({
    name,
    program_id: requiredId,
    payout_model: z.enum(['cpa', 'cpi', 'rev_share']),
    payout: z.string(),
    currency,
    countries: z.array(z.string()),
    url: url(2000),
    notes,
  })
  .superRefine((v, ctx) => {
    const p = normalizeAmountInput(v.payout)
    const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['payout'], message })
    if (!p) issue('validation.required')
    else if (!isDecimalString(p) || p.startsWith('-') || Number(p) <= 0) issue('validation.positive')
    else if (v.payout_model === 'rev_share') {
      if (Number(p) > 100) issue('validation.revShare')
      else if (decimalsOf(p) > 4) issue('validation.tooManyDecimals')
    } else if (decimalsOf(p) > currencyScale(v.currency)) issue('validation.tooManyDecimals')
    if (v.countries.length > MAX_OFFER_COUNTRIES) ctx.addIssue({ code: 'custom', path: ['countries'], message: 'validation.tooManyCountries' })
    else if (v.countries.some((c) => !COUNTRY_CODE.test(c))) ctx.addIssue({ code: 'custom', path: ['countries'], message: 'validation.country' })
  })
export type OfferFormValues = z.infer<typeof offerSchema>

/** A report key the server would refuse: too long or with control characters. */
export function isBadKey(key: string): boolean {
  // eslint-disable-next-line no-control-regex
  return key.length > MAX_KEY_CHARS || /[\u0000-\u001f\u007f-\u009f]/.test(key)
}

const keys = z.array(z.string())

export const campaignSchema = z
  .object({
    name,
    source_id: requiredId,
    offer_id: z.string(),
    project_id: z.string(),
    status: z.enum(['active', 'paused', 'ended']),
    source_keys: keys,
    tracker_keys: keys,
    notes,
  })
  .superRefine((v, ctx) => {
    for (const field of ['source_keys', 'tracker_keys'] as const) {
      const list = v[field]
      if (list.length > MAX_CAMPAIGN_KEYS) ctx.addIssue({ code: 'custom', path: [field], message: 'validation.tooManyKeys' })
      else if (list.some(isBadKey)) ctx.addIssue({ code: 'custom', path: [field], message: 'validation.badKey' })
    }
  })
export type CampaignFormValues = z.infer<typeof campaignSchema>
