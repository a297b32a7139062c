import type { components } from '@/lib/api/schema'

type MetricsRow = components['schemas']['MetricsRowOut']

/** Days the dashboard's traffic chart covers, today included. */
export const TRAFFIC_DAYS = 30

/** One day of the chart: amounts as the server's exact decimal strings. */
export interface TrafficDay {
  day: string
  spend: string
  revenue: string
  /** Percent; null when nothing was spent that day. */
  roi: string | null
}

const DAY_MS = 86_400_000

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** The first and last day of the `TRAFFIC_DAYS` days ending on `today` (ISO days). */
export function lastDays(today: string, days = TRAFFIC_DAYS): { from: string; to: string } {
  const end = Date.parse(`${today}T00:00:00Z`)
  return { from: isoDay(end - (days - 1) * DAY_MS), to: today }
}

/**
 * Every day from `from` to `to` with its row's figures; a day without traffic has no row from
 * the server and shows as zero spend and revenue (ROI undefined), so the axis keeps its days.
 */
export function dailySeries(rows: readonly MetricsRow[], from: string, to: string): TrafficDay[] {
  const byDay = new Map(rows.filter((r) => r.period).map((r) => [r.period as string, r]))
  const out: TrafficDay[] = []
  const end = Date.parse(`${to}T00:00:00Z`)
  // Bounded by the days the card asks for, whatever the dates say.
  for (let t = Date.parse(`${from}T00:00:00Z`), n = 0; t <= end && n < TRAFFIC_DAYS * 2; t += DAY_MS, n++) {
    const day = isoDay(t)
    const r = byDay.get(day)
    out.push({ day, spend: r?.spend ?? '0', revenue: r?.revenue ?? '0', roi: r?.roi ?? null })
  }
  return out
}
