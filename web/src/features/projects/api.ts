import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components, operations } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

export type Project = components['schemas']['EntityOut_ProjectSpec']
export type ProjectSpec = components['schemas']['ProjectSpec']
type ListQuery = NonNullable<operations['list_projects']['parameters']['query']>

export function useProjects(query: ListQuery) {
  return useQuery({
    queryKey: ['projects', query],
    queryFn: () => unwrap(api.GET('/api/projects', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

export function useSaveProject() {
  return useCommand({
    mutationFn: ({ id, body }: { id?: string; body: ProjectSpec }) =>
      id ? unwrap(api.PUT('/api/projects/{id}', { params: { path: { id } }, body })) : unwrap(api.POST('/api/projects', { body })),
  })
}

export function useArchiveProject() {
  return useCommand({
    mutationFn: ({ id, archive }: { id: string; archive: boolean }) =>
      archive
        ? unwrap(api.POST('/api/projects/{id}/archive', { params: { path: { id } } }))
        : unwrap(api.POST('/api/projects/{id}/restore', { params: { path: { id } } })),
  })
}
