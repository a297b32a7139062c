/** Types that the audit API hooks and the filter logic share: one file both import, so neither imports the other. */
import type { components } from '@/lib/api/schema'

export interface AuditEvent {
  seq: number
  position: number
  hash: string
  aggregate_type: string
  aggregate_id: string
  sequence: number
  event_type: string
  event_version: string
  payload: string
  metadata: string
  recorded_at: string
}

export type AuditEventKinds = components['schemas']['EventKindsOut']

/** The query parameters of `/api/audit/events` a filter sends (the server's names). */
export interface AuditQuery {
  aggregate_type?: string
  event_type?: string
  aggregate_id?: string
  user_id?: string
  from?: string
  to?: string
}
