import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { toApiError } from '@/lib/api/problem'
import { useCommand } from '@/lib/query'

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

export function useAuditHead() {
  return useQuery({ queryKey: ['audit', 'head'], queryFn: () => unwrap(api.GET('/api/audit/head')) })
}

/** Parses an NDJSON body: one JSON object per non-empty line. */
export function parseNdjson<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T)
}

/** One page of sealed events after sequence number `after`. */
export function useAuditEvents(after: number, limit: number) {
  return useQuery({
    queryKey: ['audit', 'events', after, limit],
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/audit/events', { params: { query: { after, limit } }, parseAs: 'text' })
      if (error !== undefined || !response.ok) throw toApiError(error, response)
      return parseNdjson<AuditEvent>(data ?? '')
    },
    placeholderData: keepPreviousData,
  })
}

export function useVerifyChain() {
  return useCommand({ mutationFn: () => unwrap(api.POST('/api/audit/verify')) })
}
