import { useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'

/** A campaign key in imported reports that no campaign claims (imports count them, traffic setup maps them). */
export type UnmatchedKey = components['schemas']['UnmatchedKey']

/** Campaign keys no campaign claims: of one import, or of everything imported. */
export function useUnmatched(importId?: string | null, enabled = true) {
  return useQuery({
    enabled,
    queryKey: ['traffic', 'unmatched', importId ?? 'all'],
    queryFn: () =>
      importId
        ? unwrap(api.GET('/api/traffic/imports/{id}/unmatched', { params: { path: { id: importId } } }))
        : unwrap(api.GET('/api/traffic/unmatched')),
  })
}
