import { useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'

export type OperatorAlert = components['schemas']['OperatorAlert']
export type OperatorAlertKind = components['schemas']['OperatorAlertKind']

export const ALERTS_KEY = ['admin', 'alerts'] as const
/** How often the banner asks again: the server checks its conditions every minute too. */
const REFRESH_MS = 60_000

/** What is wrong now (`GET /api/admin/alerts`, admins only: ask only when `enabled`). */
export function useOperatorAlerts(enabled: boolean) {
  return useQuery({
    queryKey: ALERTS_KEY,
    queryFn: () => unwrap(api.GET('/api/admin/alerts')),
    enabled,
    refetchInterval: REFRESH_MS,
    staleTime: REFRESH_MS / 2,
  })
}

/** Where an admin acts on an alert of this kind, if the web app has such a page. */
export function alertPage(kind: OperatorAlertKind): string | undefined {
  switch (kind) {
    case 'import_failed':
      return '/traffic/imports'
    case 'fx_sync_failed':
      return '/rates'
    case 'projector_stuck':
    case 'backup_overdue':
      return undefined
  }
}
