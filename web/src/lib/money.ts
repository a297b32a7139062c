/**
 * Money as decimal strings. Never converts amounts to JS numbers: Intl.NumberFormat formats
 * decimal strings exactly, and arithmetic goes through decimal.js.
 */
import Decimal from 'decimal.js'

/** Minor-unit scale per currency, as the server defines it (domain/src/money.rs). */
export const CURRENCY_SCALES: Record<string, number> = {
  USD: 2, EUR: 2, GBP: 2, RUB: 2, UAH: 2, KZT: 2, TRY: 2, CNY: 2, INR: 2, BRL: 2, CHF: 2,
  CAD: 2, AUD: 2, PLN: 2, AED: 2, SGD: 2, HKD: 2, JPY: 0, KRW: 0, VND: 0, IDR: 2,
  USDT: 6, USDC: 6, TRX: 6, BTC: 8,
}

export const CURRENCIES = Object.keys(CURRENCY_SCALES)

export function currencyScale(currency: string): number {
  return CURRENCY_SCALES[currency.toUpperCase()] ?? 2
}

const formatters = new Map<string, Intl.NumberFormat>()

function formatter(locale: string, currency: string, scale: number, places: number, iso: boolean, signDisplay?: 'exceptZero'): Intl.NumberFormat {
  const key = `${locale}|${currency}|${scale}|${places}|${iso}|${signDisplay ?? ''}`
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      ...(iso ? { style: 'currency', currency, currencyDisplay: 'narrowSymbol' } : { style: 'decimal' }),
      minimumFractionDigits: scale,
      maximumFractionDigits: places,
      ...(signDisplay ? { signDisplay } : {}),
    })
    formatters.set(key, f)
  }
  return f
}

/** ISO 4217 codes Intl knows as currencies (3 letters); crypto tickers like USDT get a suffix. */
function isIsoCurrency(currency: string): boolean {
  return /^[A-Z]{3}$/.test(currency) && currency !== 'TRX' && currency !== 'BTC'
}

/** Normalises a decimal string to exactly `scale` decimals (half-even), keeping it a string. */
export function toScale(amount: string | Decimal, scale: number): string {
  return new Decimal(amount).toDecimalPlaces(scale, Decimal.ROUND_HALF_EVEN).toFixed(scale)
}

export interface MoneyFormatOptions {
  /** Show the currency (symbol or code); default true. */
  withCurrency?: boolean
  /** Always show + for positive amounts. */
  signed?: boolean
  /**
   * Keep up to this many decimals when the amount has more than the currency's scale (unit
   * costs such as a CPC of $0.0123); trailing zeros beyond the scale are dropped.
   */
  maxDecimals?: number
}

/**
 * Formats a decimal-string amount in `currency` for `locale`, keeping the currency's scale
 * (USD 2, JPY 0, USDT 6, …). Invalid input is returned as is.
 */
export function formatMoney(amount: string | null | undefined, currency: string, locale: string, opts: MoneyFormatOptions = {}): string {
  if (amount === null || amount === undefined || amount === '') return ''
  const code = currency.toUpperCase()
  const scale = currencyScale(code)
  const places = Math.max(scale, opts.maxDecimals ?? scale)
  let fixed: string
  try {
    fixed = toScale(amount, places)
  } catch {
    return String(amount)
  }
  const withCurrency = opts.withCurrency ?? true
  const iso = withCurrency && isIsoCurrency(code)
  const signDisplay = opts.signed ? 'exceptZero' : undefined
  // Intl formats numeric strings exactly (no float conversion) since ES2023.
  const text = formatter(locale, code, scale, places, iso, signDisplay).format(fixed as unknown as number)
  if (!withCurrency || iso) return text
  return `${text}\u00a0${code}`
}

/** Formats a plain decimal string with grouping for `locale`, keeping its own decimals. */
export function formatDecimal(amount: string, locale: string): string {
  try {
    const d = new Decimal(amount)
    const places = Math.max(0, d.decimalPlaces())
    return new Intl.NumberFormat(locale, { minimumFractionDigits: places, maximumFractionDigits: places }).format(
      d.toFixed(places) as unknown as number,
    )
  } catch {
    return amount
  }
}

/** Whether `text` is a decimal number a user may type as an amount ("12", "-3.50", "0.000001"). */
export function isDecimalString(text: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(text.trim())
}

/** Parses a typed amount, accepting a comma as decimal separator and spaces as grouping. */
export function normalizeAmountInput(text: string): string {
  return text.trim().replace(/[\s\u00a0]/g, '').replace(',', '.')
}

/** Number of decimals in a decimal string. */
export function decimalsOf(text: string): number {
  const i = text.indexOf('.')
  return i < 0 ? 0 : text.length - i - 1
}

export function isNegative(amount: string): boolean {
  return amount.trim().startsWith('-') && !new Decimal(amount).isZero()
}

/**
 * Formats a percentage given in percent ("12.5" → "12.50 %" in en-US: "12.50%") with `decimals`
 * decimals, exactly (the division by 100 is decimal, not floating-point).
 */
export function formatPercent(percent: string, locale: string, decimals = 2): string {
  try {
    const fraction = new Decimal(percent).div(100).toFixed(decimals + 2)
    return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(
      fraction as unknown as number,
    )
  } catch {
    return percent
  }
}

/** Sums decimal strings exactly. */
export function sumDecimals(values: readonly (string | null | undefined)[]): string {
  let total = new Decimal(0)
  for (const v of values) if (v) total = total.plus(v)
  return total.toString()
}
