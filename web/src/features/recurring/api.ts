import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

type S = components['schemas']
export type Recurring = S['RecurringOut']
export type RecurringIn = S['RecurringIn']
export type Schedule = S['Schedule']
export type RunReport = S['RunReport']
export type RecurringStatus = 'active' | 'paused' | 'ended'
export const RECURRING_STATUSES: RecurringStatus[] = ['active', 'paused', 'ended']
export type Frequency = Schedule['frequency']
export const FREQUENCIES: Frequency[] = ['daily', 'weekly', 'monthly', 'yearly', 'cron']

export interface RecurringQuery {
  status?: string
  frequency?: string
  q?: string
  sort?: string
  limit: number
  offset: number
}

export function useRecurringList(query: RecurringQuery) {
  return useQuery({
    queryKey: ['recurring', query],
    queryFn: () => unwrap(api.GET('/api/recurring', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

export function useRecurring(id: string) {
  return useQuery({
    queryKey: ['recurring', 'one', id],
    queryFn: () => unwrap(api.GET('/api/recurring/{id}', { params: { path: { id }, query: minPosition() } })),
  })
}

export function useCreateRecurring() {
  return useCommand({
    mutationFn: (body: RecurringIn) => unwrap(api.POST('/api/recurring', { body })),
    onError: () => undefined,
  })
}

export function useUpdateRecurring() {
  return useCommand({
    mutationFn: ({ id, body }: { id: string; body: RecurringIn }) => unwrap(api.PUT('/api/recurring/{id}', { params: { path: { id } }, body })),
    onError: () => undefined,
  })
}

export type LifecycleAction = 'pause' | 'resume' | 'end'

/** Pause, resume or end a schedule on a day (today when none is given). */
export function useRecurringAction() {
  return useCommand({
    mutationFn: ({ id, action, date }: { id: string; action: LifecycleAction; date?: string }) => {
      const opts = { params: { path: { id } }, body: date ? { date } : {} }
      if (action === 'pause') return unwrap(api.POST('/api/recurring/{id}/pause', opts))
      if (action === 'resume') return unwrap(api.POST('/api/recurring/{id}/resume', opts))
      return unwrap(api.POST('/api/recurring/{id}/end', opts))
    },
  })
}

/** Admin: post every due day now. */
export function useRunRecurring() {
  return useCommand({
    mutationFn: () => unwrap(api.POST('/api/recurring/run', { params: { query: {} } })),
  })
}
