import type { AuditEvent, AuditEventKinds, AuditQuery } from '../types'

/**
 * What the auditor narrows the event stream to. The server applies these to the whole log;
 * empty fields match everything.
 */
export interface AuditFilter {
  aggregateType: string
  eventType: string
  aggregateId: string
  /** The user who caused the event (a UUID). */
  userId: string
  /** Recorded on or after this day (YYYY-MM-DD, UTC). */
  from: string
  /** Recorded on or before this day (YYYY-MM-DD, UTC). */
  to: string
}

export const NO_FILTER: AuditFilter = { aggregateType: '', eventType: '', aggregateId: '', userId: '', from: '', to: '' }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether the user id field holds something the server would take (empty or a UUID). */
export function validUserId(text: string): boolean {
  const t = text.trim()
  return !t || UUID.test(t)
}

/**
 * The parameters for `f`: blank fields are left out (the server refuses a blank filter), and so
 * is a user id that is not yet a whole UUID (the field says so instead of a failing request).
 */
export function toQuery(f: AuditFilter): AuditQuery {
  const q: AuditQuery = {}
  const put = (k: keyof AuditQuery, v: string) => {
    const t = v.trim()
    if (t) q[k] = t
  }
  put('aggregate_type', f.aggregateType)
  put('event_type', f.eventType)
  put('aggregate_id', f.aggregateId)
  if (validUserId(f.userId)) put('user_id', f.userId)
  put('from', f.from)
  put('to', f.to)
  return q
}

/**
 * The choices of the filters, sorted: the aggregate types in the log and the event types of the
 * chosen one (all when none is chosen), plus the chosen values (kept even when the log's list
 * has not loaded).
 */
export function filterChoices(kinds: AuditEventKinds | undefined, f: Pick<AuditFilter, 'aggregateType' | 'eventType'>): { aggregates: string[]; eventTypes: string[] } {
  const { aggregateType, eventType } = f
  const aggregates = new Set([...(kinds?.aggregate_types ?? []), ...(aggregateType ? [aggregateType] : [])])
  const eventTypes = new Set<string>(eventType ? [eventType] : [])
  for (const k of kinds?.kinds ?? []) {
    if (!aggregateType || k.aggregate_type === aggregateType) eventTypes.add(k.event_type)
  }
  return { aggregates: [...aggregates].sort(), eventTypes: [...eventTypes].sort() }
}

/** The loaded events holding `text` (case-insensitive) in their type, aggregate id, payload, metadata or hash. */
export function matchText(events: readonly AuditEvent[], text: string): AuditEvent[] {
  const needle = text.trim().toLowerCase()
  if (!needle) return [...events]
  return events.filter((e) => [e.event_type, e.aggregate_id, e.payload, e.metadata, e.hash].some((s) => s.toLowerCase().includes(needle)))
}
