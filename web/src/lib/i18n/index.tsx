import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'

import { formatMoney, type MoneyFormatOptions } from '../money'
import { en, type MessageKey } from './en'
import { ru } from './ru'

export type Locale = 'en' | 'ru'
export const LOCALES: { value: Locale; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'ru', label: 'Русский' },
]

const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, ru }
const LOCALE_KEY = 'ledger.locale'

export type TFunction = (key: MessageKey, vars?: Record<string, string | number>) => string

/** Interpolates `{name}` placeholders. */
export function translate(locale: Locale, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = dictionaries[locale][key] ?? en[key] ?? key
  if (!vars) return text
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m))
}

/**
 * Intl formatters are costly to build and lists format thousands of values (a virtualised
 * table re-renders its rows on every scroll frame): one per locale and kind, built once.
 */
const dateFormats = new Map<string, Intl.DateTimeFormat>()
const numberFormats = new Map<string, Intl.NumberFormat>()

function cached<F>(cache: Map<string, F>, key: string, make: () => F): F {
  let f = cache.get(key)
  if (!f) {
    f = make()
    cache.set(key, f)
  }
  return f
}

/** Formats an ISO date (YYYY-MM-DD) as a calendar date, without time-zone shifts. */
export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return ''
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return formatDateTime(iso, locale)
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return cached(dateFormats, `date|${locale}`, () => new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })).format(d)
}

export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return cached(dateFormats, `dateTime|${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' })).format(d)
}

export function formatNumber(n: number, locale: string): string {
  return cached(numberFormats, locale, () => new Intl.NumberFormat(locale)).format(n)
}

interface I18nValue {
  locale: Locale
  setLocale: (l: Locale) => void
  t: TFunction
  /** Translates a validation message when it is a message key; other text is kept. */
  te: (message: string | undefined) => string | undefined
  money: (amount: string | null | undefined, currency: string, opts?: MoneyFormatOptions) => string
  date: (iso: string | null | undefined) => string
  dateTime: (iso: string | null | undefined) => string
  number: (n: number) => string
}

const I18nContext = createContext<I18nValue | null>(null)

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(LOCALE_KEY)
    if (saved === 'en' || saved === 'ru') return saved
  } catch {
    /* storage unavailable */
  }
  return typeof navigator !== 'undefined' && navigator.language?.toLowerCase().startsWith('ru') ? 'ru' : 'en'
}

export function I18nProvider({ children, locale: fixed }: { children: ReactNode; locale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(() => fixed ?? initialLocale())
  const setLocale = useCallback((l: Locale) => {
    setLocaleState(l)
    try {
      localStorage.setItem(LOCALE_KEY, l)
    } catch {
      /* ignore */
    }
    document.documentElement.lang = l
  }, [])
  const value = useMemo<I18nValue>(
    () => ({
      locale,
      setLocale,
      t: (key, vars) => translate(locale, key, vars),
      te: (message) => (message && message in en ? translate(locale, message as MessageKey) : message),
      money: (amount, currency, opts) => formatMoney(amount, currency, locale, opts),
      date: (iso) => formatDate(iso, locale),
      dateTime: (iso) => formatDateTime(iso, locale),
      number: (n) => formatNumber(n, locale),
    }),
    [locale, setLocale],
  )
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

export function useI18n(): I18nValue {
  const v = useContext(I18nContext)
  if (!v) throw new Error('useI18n outside I18nProvider')
  return v
}

export type { MessageKey }
