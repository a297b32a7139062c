import { useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components } from '@/lib/api/schema'

export type Balance = components['schemas']['BalanceOut']

export function useCurrentBalances() {
  return useQuery({
    queryKey: ['balances', 'dashboard'],
    queryFn: () => unwrap(api.GET('/api/balances', { params: { query: { ...minPosition() } } })),
  })
}
