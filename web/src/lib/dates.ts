/**
 * Calendar dates typed and shown in the app's language rather than the browser's: a native
 * `<input type="date">` always follows the browser's locale, so date fields are text fields
 * that read and write the language's numeric pattern (en: 11/26/2026, ru: 26.11.2026) while
 * the forms and the API keep ISO days (YYYY-MM-DD).
 */

type Part = 'day' | 'month' | 'year'

/** The order of day, month and year in a language's numeric dates, and what separates them. */
export interface DatePattern {
  order: Part[]
  separator: string
}

const patterns = new Map<string, DatePattern>()

/** The numeric date pattern of `locale`, as Intl writes it. */
export function datePattern(locale: string): DatePattern {
  let p = patterns.get(locale)
  if (!p) {
    // A day whose parts cannot be confused with each other (22 > 12).
    const parts = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' }).formatToParts(new Date(Date.UTC(2001, 10, 22)))
    const order = parts.filter((x): x is Intl.DateTimeFormatPart & { type: Part } => x.type === 'day' || x.type === 'month' || x.type === 'year').map((x) => x.type)
    const separator = parts.find((x) => x.type === 'literal')?.value.trim() || '-'
    p = order.length === 3 ? { order, separator } : { order: ['year', 'month', 'day'], separator: '-' }
    patterns.set(locale, p)
  }
  return p
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** The ISO day of a calendar date, or null when there is no such day (2026-02-30). */
function isoDay(year: number, month: number, day: number): string | null {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return null
  const d = new Date(Date.UTC(year, month - 1, day))
  d.setUTCFullYear(year)
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** An ISO day in the numeric pattern of `locale` (en: 11/26/2026, ru: 26.11.2026); '' for none. */
export function formatDayInput(iso: string, locale: string): string {
  const m = ISO_DAY.exec(iso)
  if (!m) return ''
  const values: Record<Part, string> = { year: m[1], month: m[2], day: m[3] }
  const p = datePattern(locale)
  return p.order.map((k) => values[k]).join(p.separator)
}

/**
 * The ISO day a typed text means in `locale`'s pattern (one- or two-digit day and month,
 * four-digit year, any of `.`, `/`, `-` or a space between), or an ISO day as is. Null when
 * the text is not a day.
 */
export function parseDayInput(text: string, locale: string): string | null {
  const t = text.trim()
  const iso = ISO_DAY.exec(t)
  if (iso) return isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]))
  const m = /^(\d{1,4})[./\- ](\d{1,4})[./\- ](\d{1,4})$/.exec(t)
  if (!m) return null
  const values = {} as Record<Part, string>
  datePattern(locale).order.forEach((k, i) => (values[k] = m[i + 1]))
  // A four-digit year only: 26 could be 1926 or 2026, and a ledger must not guess.
  if (values.year.length !== 4 || values.month.length > 2 || values.day.length > 2) return null
  return isoDay(Number(values.year), Number(values.month), Number(values.day))
}

/** What a date field shows while empty, from the language's letters for day, month and year. */
export function dayPlaceholder(locale: string, letters: Record<Part, string>): string {
  const p = datePattern(locale)
  return p.order.map((k) => letters[k].repeat(k === 'year' ? 4 : 2)).join(p.separator)
}
