import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import { useCommand } from '@/lib/query'
import { listTraffic, type Campaign, type CampaignSpec, type CampaignStatus, type EntityOf, type ListQueryOf, type PayoutModel, type SourceKind, type SpecOf, type TrafficKind } from '@/lib/traffic/entities'

export const SOURCE_KINDS: SourceKind[] = ['mobile_dsp', 'ad_network', 'push', 'native', 'social', 'search', 'other']
export const PAYOUT_MODELS: PayoutModel[] = ['cpa', 'cpi', 'rev_share']
export const CAMPAIGN_STATUSES: CampaignStatus[] = ['active', 'paused', 'ended']

type Written<T> = T & { id: string; position: number }

/** The calls that change (or re-read) one kind of traffic reference data; the lists are in @/lib/traffic/entities. */
interface Calls<K extends TrafficKind> {
  get: (id: string) => Promise<EntityOf<K>>
  create: (body: SpecOf<K>) => Promise<Written<SpecOf<K>>>
  update: (id: string, body: SpecOf<K>) => Promise<Written<SpecOf<K>>>
  archive: (id: string) => Promise<unknown>
  restore: (id: string) => Promise<unknown>
}

const path = (id: string) => ({ params: { path: { id } } })
const calls: { [K in TrafficKind]: Calls<K> } = {
  sources: {
    get: (id) => unwrap(api.GET('/api/traffic/sources/{id}', { params: { path: { id }, query: minPosition() } })),
    create: (body) => unwrap(api.POST('/api/traffic/sources', { body })),
    update: (id, body) => unwrap(api.PUT('/api/traffic/sources/{id}', { ...path(id), body })),
    archive: (id) => unwrap(api.POST('/api/traffic/sources/{id}/archive', path(id))),
    restore: (id) => unwrap(api.POST('/api/traffic/sources/{id}/restore', path(id))),
  },
  programs: {
    get: (id) => unwrap(api.GET('/api/traffic/programs/{id}', { params: { path: { id }, query: minPosition() } })),
    create: (body) => unwrap(api.POST('/api/traffic/programs', { body })),
    update: (id, body) => unwrap(api.PUT('/api/traffic/programs/{id}', { ...path(id), body })),
    archive: (id) => unwrap(api.POST('/api/traffic/programs/{id}/archive', path(id))),
    restore: (id) => unwrap(api.POST('/api/traffic/programs/{id}/restore', path(id))),
  },
  offers: {
    get: (id) => unwrap(api.GET('/api/traffic/offers/{id}', { params: { path: { id }, query: minPosition() } })),
    create: (body) => unwrap(api.POST('/api/traffic/offers', { body })),
    update: (id, body) => unwrap(api.PUT('/api/traffic/offers/{id}', { ...path(id), body })),
    archive: (id) => unwrap(api.POST('/api/traffic/offers/{id}/archive', path(id))),
    restore: (id) => unwrap(api.POST('/api/traffic/offers/{id}/restore', path(id))),
  },
  campaigns: {
    get: (id) => unwrap(api.GET('/api/traffic/campaigns/{id}', { params: { path: { id }, query: minPosition() } })),
    create: (body) => unwrap(api.POST('/api/traffic/campaigns', { body })),
    update: (id, body) => unwrap(api.PUT('/api/traffic/campaigns/{id}', { ...path(id), body })),
    archive: (id) => unwrap(api.POST('/api/traffic/campaigns/{id}/archive', path(id))),
    restore: (id) => unwrap(api.POST('/api/traffic/campaigns/{id}/restore', path(id))),
  },
}

/** One page of a traffic entity list (server-side search, filters, sorting, paging). */
export function useTrafficList<K extends TrafficKind>(kind: K, query: ListQueryOf<K>) {
  return useQuery({
    queryKey: ['traffic', kind, query],
    queryFn: () => listTraffic(kind, { ...query, ...minPosition() }),
    placeholderData: keepPreviousData,
  })
}

/** Creates (no id) or replaces an entity. */
export function useSaveTraffic<K extends TrafficKind>(kind: K) {
  return useCommand({
    mutationFn: ({ id, body }: { id?: string; body: SpecOf<K> }) => {
      const c = calls[kind] as Calls<K>
      return id ? c.update(id, body) : c.create(body)
    },
  })
}

export function useArchiveTraffic<K extends TrafficKind>(kind: K) {
  return useCommand({
    mutationFn: ({ id, archive }: { id: string; archive: boolean }) => {
      const c = calls[kind] as Calls<K>
      return archive ? c.archive(id) : c.restore(id)
    },
  })
}

/** The spec part of a campaign as read (for a PUT that changes some of it). */
export function campaignSpecOf(c: Campaign): CampaignSpec {
  return {
    name: c.name,
    source_id: c.source_id,
    offer_id: c.offer_id ?? null,
    project_id: c.project_id ?? null,
    status: c.status,
    source_keys: c.source_keys ?? [],
    tracker_keys: c.tracker_keys ?? [],
    notes: c.notes ?? null,
  }
}

/**
 * Adds an unmatched report key to a campaign: spend-side keys to `source_keys`, results-side
 * keys to `tracker_keys`. Waits until the read side holds the change (GET with min_position),
 * because the unmatched list has no min_position of its own.
 */
export function useAddCampaignKey() {
  return useCommand({
    mutationFn: async ({ campaign, side, key }: { campaign: Campaign; side: 'spend' | 'results'; key: string }) => {
      const spec = campaignSpecOf(campaign)
      const field = side === 'spend' ? 'source_keys' : 'tracker_keys'
      const keys = spec[field] ?? []
      const written = await calls.campaigns.update(campaign.id, { ...spec, [field]: keys.includes(key) ? keys : [...keys, key] })
      await unwrap(api.GET('/api/traffic/campaigns/{id}', { params: { path: { id: campaign.id }, query: { min_position: written.position } } }))
      return written
    },
  })
}

/** Waits until the read side includes a write (e.g. a campaign just created). */
export function waitForCampaign(id: string, position: number) {
  return unwrap(api.GET('/api/traffic/campaigns/{id}', { params: { path: { id }, query: { min_position: position } } }))
}
