import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import type { components, operations } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

export type UserDetail = components['schemas']['UserDetail']
export type Role = components['schemas']['Role']
export type UserUpdate = components['schemas']['UserUpdate']
type ListQuery = NonNullable<operations['list_users']['parameters']['query']>

export const ROLES: Role[] = ['admin', 'accountant', 'analyst', 'viewer', 'auditor']

export function useUsers(query: ListQuery) {
  return useQuery({
    queryKey: ['users', query],
    queryFn: () => unwrap(api.GET('/api/users', { params: { query } })),
    placeholderData: keepPreviousData,
  })
}

export function useUpdateUser() {
  return useCommand({
    mutationFn: ({ id, body }: { id: string; body: UserUpdate }) => unwrap(api.PATCH('/api/users/{id}', { params: { path: { id } }, body })),
  })
}
