import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { toApiError } from '@/lib/api/problem'
import { useCommand } from '@/lib/query'

import type { AuditEvent, AuditQuery } from './types'

/** One page of the filtered stream and where the next one starts (null: the log's end). */
export interface AuditPage {
  events: AuditEvent[]
  nextAfter: number | null
}

/** The response header naming the `after` of the next page. */
export const NEXT_AFTER_HEADER = 'x-next-after'

export function useAuditHead() {
  return useQuery({ queryKey: ['audit', 'head'], queryFn: () => unwrap(api.GET('/api/audit/head')) })
}

/** The aggregate and event types present in the log, for the filter choices. */
export function useAuditEventKinds() {
  return useQuery({ queryKey: ['audit', 'event-kinds'], queryFn: () => unwrap(api.GET('/api/audit/event-kinds')), staleTime: 60_000 })
}

/** Parses an NDJSON body: one JSON object per non-empty line. */
export function parseNdjson<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T)
}

/** The `after` of the next page from the response header; null when absent or malformed. */
export function nextAfter(response: Response): number | null {
  const v = response.headers.get(NEXT_AFTER_HEADER)
  const n = v === null ? NaN : Number(v)
  return Number.isSafeInteger(n) && n >= 0 ? n : null
}

/** One page of the sealed events after sequence number `after` matching `filter` (applied by the server). */
export function useAuditEvents(after: number, limit: number, filter: AuditQuery) {
  return useQuery({
    queryKey: ['audit', 'events', after, limit, filter],
    queryFn: async (): Promise<AuditPage> => {
      const { data, error, response } = await api.GET('/api/audit/events', { params: { query: { after, limit, ...filter } }, parseAs: 'text' })
      if (error !== undefined || !response.ok) throw toApiError(error, response)
      return { events: parseNdjson<AuditEvent>(data ?? ''), nextAfter: nextAfter(response) }
    },
    placeholderData: keepPreviousData,
  })
}

export function useVerifyChain() {
  return useCommand({ mutationFn: () => unwrap(api.POST('/api/audit/verify')) })
}
