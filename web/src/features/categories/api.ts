import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components, operations } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

export type Category = components['schemas']['EntityOut_CategorySpec']
export type CategorySpec = components['schemas']['CategorySpec']
export type CategoryKind = components['schemas']['CategoryKind']
type ListQuery = NonNullable<operations['list_categories']['parameters']['query']>

export function useCategories(query: ListQuery) {
  return useQuery({
    queryKey: ['categories', query],
    queryFn: () => unwrap(api.GET('/api/categories', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

export function useSaveCategory() {
  return useCommand({
    mutationFn: ({ id, body }: { id?: string; body: CategorySpec }) =>
      id ? unwrap(api.PUT('/api/categories/{id}', { params: { path: { id } }, body })) : unwrap(api.POST('/api/categories', { body })),
  })
}

export function useArchiveCategory() {
  return useCommand({
    mutationFn: ({ id, archive }: { id: string; archive: boolean }) =>
      archive
        ? unwrap(api.POST('/api/categories/{id}/archive', { params: { path: { id } } }))
        : unwrap(api.POST('/api/categories/{id}/restore', { params: { path: { id } } })),
  })
}
