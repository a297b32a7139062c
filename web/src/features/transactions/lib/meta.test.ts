import { describe, expect, it } from 'vitest'

import { mapServerField, metaDefaults, metaSchema, metaToBody } from './meta'

describe('adjustments of a closed month', () => {
  const base = { ...metaDefaults(), date: '2026-03-02', description: 'Late invoice' }

  it('sends `adjusts` only when set', () => {
    expect(metaToBody(base)).not.toHaveProperty('adjusts')
    expect(metaToBody({ ...base, adjusts: '2026-01-15' }).adjusts).toBe('2026-01-15')
  })

  it('validates the day and maps the server field onto the form', () => {
    expect(metaSchema.safeParse({ ...base, adjusts: 'jan' }).success).toBe(false)
    expect(metaSchema.safeParse({ ...base, adjusts: '' }).success).toBe(true)
    expect(mapServerField('adjusts')).toBe('meta.adjusts')
  })
})
