import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'

import { formatMoney, type MoneyFormatOptions } from '../money'
import { en, type MessageKey } from './en'
import { ru } from './ru'

export type Locale = 'en' | 'ru'
export const LOCALES: { value: Locale; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'ru', label: 'Русский' },
]

/**
 * A feature's own strings (`features/x/i18n.ts`), passed to `useI18n(messages)`: the shared
 * dictionary cannot import features, so each feature brings its part where it is used.
 */
export interface Dictionary<K extends string> {
  en: Record<K, string>
  ru: Record<K, string>
}

/** A feature dictionary; the English half defines the keys, the Russian one must have exactly them. */
export function defineMessages<E extends Record<string, string>>(messages: { en: E; ru: Record<keyof E, string> }): Dictionary<keyof E & string> {
  return messages
}

/** The keys `useI18n(messages)` translates: the shared ones and those of the feature's dictionary. */
export type KeyOf<D> = MessageKey | (D extends Dictionary<infer K> ? K : never)

const shared: Record<Locale, Record<MessageKey, string>> = { en, ru }
const LOCALE_KEY = 'ledger.locale'

export type TFunction<K extends string = never> = (key: MessageKey | K, vars?: Record<string, string | number>) => string

function lookup(locale: Locale, key: string, messages?: Dictionary<string>): string | undefined {
  const own = (d: Record<string, string> | undefined) => (d && Object.hasOwn(d, key) ? d[key] : undefined)
  return own(messages?.[locale]) ?? own(shared[locale]) ?? own(messages?.en) ?? own(en)
}

/** Interpolates `{name}` placeholders; a key neither dictionary has stays as it is. */
export function translate<K extends string = never>(locale: Locale, key: MessageKey | NoInfer<K>, vars?: Record<string, string | number>, messages?: Dictionary<K>): string {
  const text = lookup(locale, key, messages) ?? key
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

interface Formatting {
  locale: Locale
  setLocale: (l: Locale) => void
  money: (amount: string | null | undefined, currency: string, opts?: MoneyFormatOptions) => string
  date: (iso: string | null | undefined) => string
  dateTime: (iso: string | null | undefined) => string
  number: (n: number) => string
}

interface I18nValue<K extends string> extends Formatting {
  t: TFunction<K>
  /** Translates a validation message when it is a message key; other text is kept. */
  te: (message: string | undefined) => string | undefined
}

const I18nContext = createContext<Formatting | null>(null)

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
  const value = useMemo<Formatting>(
    () => ({
      locale,
      setLocale,
      money: (amount, currency, opts) => formatMoney(amount, currency, locale, opts),
      date: (iso) => formatDate(iso, locale),
      dateTime: (iso) => formatDateTime(iso, locale),
      number: (n) => formatNumber(n, locale),
    }),
    [locale, setLocale],
  )
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

/** The locale, its formatters, and `t` over the shared strings plus those of `messages` (a feature's dictionary). */
export function useI18n<K extends string = never>(messages?: Dictionary<K>): I18nValue<K> {
  const v = useContext(I18nContext)
  if (!v) throw new Error('useI18n outside I18nProvider')
  return useMemo(() => {
    const t: TFunction<K> = (key, vars) => translate(v.locale, key, vars, messages)
    const te = (message: string | undefined) => (message && lookup('en', message, messages) !== undefined ? t(message as MessageKey | K) : message)
    return { ...v, t, te }
  }, [v, messages])
}

export type { MessageKey }
