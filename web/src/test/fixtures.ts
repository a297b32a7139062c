import type { Account } from '@/hooks/use-lookups'

/** An account for component tests: USD, asset, kind other, active, unless `a` says otherwise. */
export const testAccount = (a: Pick<Account, 'id' | 'name'> & Partial<Account>): Account => ({
  currency: 'USD',
  type: 'asset',
  kind: 'other',
  archived: false,
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
  version: 1,
  ...a,
})
