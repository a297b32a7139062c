import { describe, expect, it } from 'vitest'

import { translate } from '@/lib/i18n'

import { messages } from './i18n'

describe('transaction strings', () => {
  // Moved from lib/i18n/format.test.ts with the key, which is now this feature's own.
  it('translates with placeholders', () => {
    expect(translate('en', 'tx.count', { loaded: '500', total: '10,000' }, messages)).toBe('500 of 10,000 loaded')
  })
})
