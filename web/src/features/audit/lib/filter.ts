import type { AuditEvent } from '../api'

/** What the auditor narrows a page of the event stream to; empty fields match everything. */
export interface AuditFilter {
  aggregateType: string
  eventType: string
  /** Recorded on or after this day (YYYY-MM-DD, UTC). */
  from: string
  /** Recorded on or before this day (YYYY-MM-DD, UTC). */
  to: string
  /** Text anywhere in the event type, aggregate id, payload, metadata or hash. */
  text: string
}

export const NO_FILTER: AuditFilter = { aggregateType: '', eventType: '', from: '', to: '', text: '' }

/** Aggregate types every ledger has, listed even before an event of theirs is loaded. */
const KNOWN_AGGREGATES = ['account', 'category', 'counterparty', 'periods', 'project', 'transaction']

/** The events matching `f`, in their order. */
export function filterEvents(events: readonly AuditEvent[], f: AuditFilter): AuditEvent[] {
  const needle = f.text.trim().toLowerCase()
  return events.filter((e) => {
    // recorded_at is RFC 3339 in UTC: its first ten characters are the UTC day.
    const day = e.recorded_at.slice(0, 10)
    return (
      (!f.aggregateType || e.aggregate_type === f.aggregateType) &&
      (!f.eventType || e.event_type === f.eventType) &&
      (!f.from || day >= f.from) &&
      (!f.to || day <= f.to) &&
      (!needle || [e.event_type, e.aggregate_id, e.payload, e.metadata, e.hash].some((s) => s.toLowerCase().includes(needle)))
    )
  })
}

/**
 * The choices of the filters, sorted: the known aggregate types, those of the loaded events, and
 * the chosen ones (kept while paging to a page without such events).
 */
export function filterChoices(events: readonly AuditEvent[], f: Pick<AuditFilter, 'aggregateType' | 'eventType'>): { aggregates: string[]; eventTypes: string[] } {
  const { aggregateType, eventType } = f
  const aggregates = new Set([...KNOWN_AGGREGATES, ...(aggregateType ? [aggregateType] : [])])
  const eventTypes = new Set<string>(eventType ? [eventType] : [])
  for (const e of events) {
    aggregates.add(e.aggregate_type)
    if (!aggregateType || e.aggregate_type === aggregateType) eventTypes.add(e.event_type)
  }
  return { aggregates: [...aggregates].sort(), eventTypes: [...eventTypes].sort() }
}
