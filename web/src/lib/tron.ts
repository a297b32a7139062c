import { z } from 'zod'

import type { components } from '@/lib/api/schema'
import { isDecimalString, normalizeAmountInput } from '@/lib/money'

export type CryptoDetails = components['schemas']['CryptoDetails']
export type CryptoVerification = components['schemas']['CryptoVerification']
export type CryptoToken = components['schemas']['CryptoToken']
export const CRYPTO_TOKENS: CryptoToken[] = ['USDT', 'TRX']
/** Decimals of TRX and USDT-TRC20 amounts (the server's TOKEN_SCALE). */
export const TOKEN_SCALE = 6

const EXPLORER = 'https://tronscan.org/#'
export const tronscanTxUrl = (hash: string) => `${EXPLORER}/transaction/${hash}`
export const tronscanAddressUrl = (address: string) => `${EXPLORER}/address/${address}`

/** A Tron transaction hash: 64 hexadecimal characters. */
export const isTxHash = (s: string) => /^[0-9a-fA-F]{64}$/.test(s.trim())

/**
 * A Tron address as people write it: base58 (no 0, O, I, l), 34 characters, starting with T.
 * The server also checks the base58check checksum.
 */
export const TRON_ADDRESS = /^T[1-9A-HJ-NP-Za-km-z]{33}$/
export const isTronAddress = (s: string) => TRON_ADDRESS.test(s.trim())

const tokenAmount = (required: boolean) =>
  z.string().refine((raw) => {
    const s = normalizeAmountInput(raw)
    if (s === '') return !required
    if (!isDecimalString(s) || s.startsWith('-')) return false
    const decimals = s.split('.')[1]?.length ?? 0
    return decimals <= TOKEN_SCALE
  }, 'validation.tokenAmount')

/** The crypto details fields of a transaction form (all strings, as typed). */
export const cryptoSchema = z.object({
  token: z.enum(['USDT', 'TRX']),
  tx_hash: z.string().refine(isTxHash, 'validation.txHash'),
  from: z.string().refine(isTronAddress, 'validation.tronAddress'),
  to: z.string().refine(isTronAddress, 'validation.tronAddress'),
  fee_trx: tokenAmount(false),
})

export type CryptoValues = z.infer<typeof cryptoSchema>

export const cryptoDefaults = (c?: CryptoDetails | null): CryptoValues => ({
  token: c?.token ?? 'USDT',
  tx_hash: c?.tx_hash ?? '',
  from: c?.from ?? '',
  to: c?.to ?? '',
  fee_trx: c?.fee_trx ?? '',
})

/** The body's `crypto` from the form's values; `amount` is the wallet leg's amount (unsigned). */
export function cryptoToBody(v: CryptoValues, amount: string): CryptoDetails {
  return {
    network: 'tron',
    token: v.token,
    tx_hash: v.tx_hash.trim().toLowerCase(),
    from: v.from.trim(),
    to: v.to.trim(),
    amount: normalizeAmountInput(amount).replace(/^-/, ''),
    fee_trx: normalizeAmountInput(v.fee_trx) || '0',
  }
}

/** Shortens a hash or an address for tables: first and last characters. */
export const shortHash = (s: string, keep = 6) => (s.length <= keep * 2 + 1 ? s : `${s.slice(0, keep)}…${s.slice(-keep)}`)

/** The crypto block of a transaction form: checked only when `enabled` (a wallet leg was chosen and the box ticked). */
export const cryptoBlockSchema = z.object({ enabled: z.boolean(), token: z.enum(['USDT', 'TRX']), tx_hash: z.string(), from: z.string(), to: z.string(), fee_trx: z.string() })

/**
 * Adds the crypto rules' issues for a ticked block, under `path` (a form that decides itself
 * when the block applies, e.g. the journal only with a wallet leg, checks it from its own refine).
 */
export function checkCryptoBlock(v: z.infer<typeof cryptoBlockSchema>, ctx: z.RefinementCtx, path: (string | number)[] = []) {
  if (!v.enabled) return
  const r = cryptoSchema.safeParse(v)
  if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: [...path, ...issue.path], message: issue.message })
}

export const optionalCryptoSchema = cryptoBlockSchema.superRefine((v, ctx) => checkCryptoBlock(v, ctx))

export type OptionalCryptoValues = z.infer<typeof optionalCryptoSchema>

export const optionalCryptoDefaults = (c?: CryptoDetails | null): OptionalCryptoValues => ({ enabled: !!c, ...cryptoDefaults(c) })

/** The token a wallet account in `currency` moves (null: not a Tron token). */
export const tokenOf = (currency: string | undefined): CryptoToken | null => (currency === 'USDT' || currency === 'TRX' ? currency : null)
