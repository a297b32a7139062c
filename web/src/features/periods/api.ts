import { useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import { useCommand } from '@/lib/query'

export function usePeriods() {
  return useQuery({
    queryKey: ['periods'],
    queryFn: () => unwrap(api.GET('/api/periods', { params: { query: { ...minPosition() } } })),
  })
}

export function useClosePeriod() {
  return useCommand({ mutationFn: (through: string) => unwrap(api.POST('/api/periods/close', { body: { through } })) })
}

export function useReopenPeriod() {
  return useCommand({ mutationFn: (to: string | null) => unwrap(api.POST('/api/periods/reopen', { body: { to } })) })
}
