import { useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components } from '@/lib/api/schema'

export type Account = components['schemas']['EntityOut_AccountSpec']
export type Project = components['schemas']['EntityOut_ProjectSpec']
export type Category = components['schemas']['EntityOut_CategorySpec']
export type Counterparty = components['schemas']['EntityOut_CounterpartySpec']

const ALL = { limit: 1000, offset: 0, sort: 'name' } as const

/** Every account (for pickers and name look-ups), sorted by name. */
export function useAllAccounts() {
  return useQuery({
    queryKey: ['lookup', 'accounts'],
    queryFn: () => unwrap(api.GET('/api/accounts', { params: { query: { ...ALL, ...minPosition() } } })),
    select: (p) => p.items,
  })
}

export function useAllProjects() {
  return useQuery({
    queryKey: ['lookup', 'projects'],
    queryFn: () => unwrap(api.GET('/api/projects', { params: { query: { ...ALL, ...minPosition() } } })),
    select: (p) => p.items,
  })
}

export function useAllCategories() {
  return useQuery({
    queryKey: ['lookup', 'categories'],
    queryFn: () => unwrap(api.GET('/api/categories', { params: { query: { ...ALL, ...minPosition() } } })),
    select: (p) => p.items,
  })
}

export function useAllCounterparties() {
  return useQuery({
    queryKey: ['lookup', 'counterparties'],
    queryFn: () => unwrap(api.GET('/api/counterparties', { params: { query: { ...ALL, ...minPosition() } } })),
    select: (p) => p.items,
  })
}

/** Orders categories as a tree (parents before children) with their depth. */
export function categoryTree<T extends { id: string; parent_id?: string | null; name: string }>(items: T[]): { item: T; depth: number }[] {
  const byParent = new Map<string | null, T[]>()
  const ids = new Set(items.map((i) => i.id))
  for (const i of items) {
    const p = i.parent_id && ids.has(i.parent_id) ? i.parent_id : null
    byParent.set(p, [...(byParent.get(p) ?? []), i])
  }
  const out: { item: T; depth: number }[] = []
  const seen = new Set<string>()
  const walk = (parent: string | null, depth: number) => {
    for (const i of byParent.get(parent) ?? []) {
      if (seen.has(i.id)) continue
      seen.add(i.id)
      out.push({ item: i, depth })
      walk(i.id, depth + 1)
    }
  }
  walk(null, 0)
  for (const i of items) if (!seen.has(i.id)) out.push({ item: i, depth: 0 })
  return out
}
