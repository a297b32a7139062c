import type { Campaign } from '@/lib/traffic/entities'
import type { UnmatchedKey } from '@/lib/traffic/unmatched'

import type { CampaignFormValues } from '../schemas'

/** Form values of a campaign (or of a new one, with some fields prefilled). */
export function campaignDefaults(c?: Partial<Campaign> | null): CampaignFormValues {
  return {
    name: c?.name ?? '',
    source_id: c?.source_id ?? '',
    offer_id: c?.offer_id ?? '',
    project_id: c?.project_id ?? '',
    status: c?.status ?? 'active',
    source_keys: c?.source_keys ?? [],
    tracker_keys: c?.tracker_keys ?? [],
    notes: c?.notes ?? '',
  }
}

/** Campaigns a key may be added to: a spend key belongs to a campaign of its own source. */
export function campaignsFor(key: Pick<UnmatchedKey, 'side' | 'source_id'>, campaigns: Campaign[]): Campaign[] {
  return campaigns.filter((c) => !c.archived && (key.side !== 'spend' || !key.source_id || c.source_id === key.source_id))
}

