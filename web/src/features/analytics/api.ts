import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components, operations } from '@/lib/api/schema'

export type Metrics = components['schemas']['MetricsOut']
export type MetricsRow = components['schemas']['MetricsRowOut']
export type Figures = components['schemas']['Figures']
export type MetricsQuery = Omit<operations['metrics']['parameters']['query'], 'min_position'>

export const GRANULARITIES = ['day', 'week', 'month'] as const
export type Granularity = (typeof GRANULARITIES)[number]
export const DIMENSIONS = ['campaign', 'source', 'offer', 'program', 'project', 'country', 'os'] as const
export type Dimension = (typeof DIMENSIONS)[number]

export function useMetrics(query: MetricsQuery, enabled = true) {
  return useQuery({
    queryKey: ['traffic', 'metrics', query],
    queryFn: () => unwrap(api.GET('/api/traffic/metrics', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
    enabled,
  })
}
