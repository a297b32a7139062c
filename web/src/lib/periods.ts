/** Date ranges of the analytics period picker, as ISO days (YYYY-MM-DD), inclusive. */
export const PERIOD_PRESETS = ['last7', 'last30', 'last90', 'thisMonth', 'lastMonth', 'custom'] as const
export type PeriodPreset = (typeof PERIOD_PRESETS)[number]

const iso = (d: Date) => d.toISOString().slice(0, 10)
const utcDay = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d))

/** Parses YYYY-MM-DD as a UTC day. */
function parse(day: string): Date {
  const [y, m, d] = day.split('-').map(Number)
  return utcDay(y, m - 1, d)
}

/** The range of a preset, counted back from `today` (YYYY-MM-DD; "last 7 days" includes today). */
export function presetRange(preset: Exclude<PeriodPreset, 'custom'>, today: string): { from: string; to: string } {
  const t = parse(today)
  const y = t.getUTCFullYear()
  const m = t.getUTCMonth()
  const back = (days: number) => iso(utcDay(y, m, t.getUTCDate() - (days - 1)))
  switch (preset) {
    case 'last7':
      return { from: back(7), to: today }
    case 'last30':
      return { from: back(30), to: today }
    case 'last90':
      return { from: back(90), to: today }
    case 'thisMonth':
      return { from: iso(utcDay(y, m, 1)), to: today }
    case 'lastMonth':
      return { from: iso(utcDay(y, m - 1, 1)), to: iso(utcDay(y, m, 0)) }
  }
}

/** Which preset a range is (for showing the picker's state), or 'custom'. */
export function presetOf(from: string, to: string, today: string): PeriodPreset {
  for (const p of PERIOD_PRESETS) {
    if (p === 'custom') continue
    const r = presetRange(p, today)
    if (r.from === from && r.to === to) return p
  }
  return 'custom'
}

export function isIsoDay(s: string | null | undefined): s is string {
  return !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(parse(s).getTime())
}
