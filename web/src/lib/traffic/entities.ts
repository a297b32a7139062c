import { useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components, operations } from '@/lib/api/schema'

/**
 * Traffic reference data (sources, programs, offers, campaigns) as every traffic screen reads it:
 * the types and the lists. Writing it is the traffic-setup feature's business.
 */

type S = components['schemas']
type Q<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>

export type TrafficSource = S['EntityOut_TrafficSourceSpec']
export type TrafficSourceSpec = S['TrafficSourceSpec']
export type SourceKind = S['SourceKind']
export type Program = S['EntityOut_ProgramSpec']
export type ProgramSpec = S['ProgramSpec']
export type Offer = S['EntityOut_OfferSpec']
export type OfferSpec = S['OfferSpec']
export type PayoutModel = S['PayoutModel']
export type Campaign = S['EntityOut_CampaignSpec']
export type CampaignSpec = S['CampaignSpec']
export type CampaignStatus = S['CampaignStatus']

/** Each kind of traffic reference data: its entity, spec and list filters. */
interface Kinds {
  sources: { entity: TrafficSource; spec: TrafficSourceSpec; query: Q<'list_sources'> }
  programs: { entity: Program; spec: ProgramSpec; query: Q<'list_programs'> }
  offers: { entity: Offer; spec: OfferSpec; query: Q<'list_offers'> }
  campaigns: { entity: Campaign; spec: CampaignSpec; query: Q<'list_campaigns'> }
}
export type TrafficKind = keyof Kinds
export type EntityOf<K extends TrafficKind> = Kinds[K]['entity']
export type SpecOf<K extends TrafficKind> = Kinds[K]['spec']
export type ListQueryOf<K extends TrafficKind> = Kinds[K]['query']

export type Page<T> = { items: T[]; total: number; limit: number; offset: number }
type List<K extends TrafficKind> = (query: ListQueryOf<K>) => Promise<Page<EntityOf<K>>>

const lists: { [K in TrafficKind]: List<K> } = {
  sources: (query) => unwrap(api.GET('/api/traffic/sources', { params: { query } })),
  programs: (query) => unwrap(api.GET('/api/traffic/programs', { params: { query } })),
  offers: (query) => unwrap(api.GET('/api/traffic/offers', { params: { query } })),
  campaigns: (query) => unwrap(api.GET('/api/traffic/campaigns', { params: { query } })),
}

/** One page of a kind's list (server-side search, filters, sorting, paging). */
export function listTraffic<K extends TrafficKind>(kind: K, query: ListQueryOf<K>): Promise<Page<EntityOf<K>>> {
  return (lists[kind] as List<K>)(query)
}

/** Every entity of a kind, archived ones included (for pickers and name look-ups), by name. */
export function useAllTraffic<K extends TrafficKind>(kind: K) {
  return useQuery({
    queryKey: ['traffic', kind, 'all'],
    queryFn: () => listTraffic(kind, { limit: 1000, offset: 0, sort: 'name', ...minPosition() } as ListQueryOf<K>),
    select: (p) => p.items,
  })
}
