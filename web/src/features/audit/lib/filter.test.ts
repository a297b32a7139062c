import { describe, expect, it } from 'vitest'

import type { AuditEvent } from '../api'
import { filterChoices, filterEvents, NO_FILTER } from './filter'

const event = (seq: number, aggregate_type: string, event_type: string, recorded_at: string, payload = '{}'): AuditEvent => ({
  seq,
  position: seq,
  hash: `h${seq}`.padEnd(64, '0'),
  aggregate_type,
  aggregate_id: `id-${seq}`,
  sequence: 1,
  event_type,
  event_version: '1',
  payload,
  metadata: '{}',
  recorded_at,
})

const events = [
  event(1, 'account', 'AccountOpened', '2026-10-31T23:59:59Z', '{"name":"Bank"}'),
  event(2, 'transaction', 'TransactionPosted', '2026-11-01T00:00:00Z'),
  event(3, 'payout', 'PayoutApproved', '2026-11-02T10:00:00Z'),
  event(4, 'transaction', 'TransactionReversed', '2026-11-03T10:00:00Z'),
]

const seqs = (f: Partial<typeof NO_FILTER>) => filterEvents(events, { ...NO_FILTER, ...f }).map((e) => e.seq)

describe('audit filters', () => {
  it('match everything when empty', () => {
    expect(seqs({})).toEqual([1, 2, 3, 4])
  })

  it('narrow by aggregate type, event type and text (case-insensitive)', () => {
    expect(seqs({ aggregateType: 'transaction' })).toEqual([2, 4])
    expect(seqs({ aggregateType: 'transaction', eventType: 'TransactionReversed' })).toEqual([4])
    expect(seqs({ text: 'BANK' })).toEqual([1])
    expect(seqs({ text: 'h3' })).toEqual([3])
  })

  it('take the recorded day in UTC, both ends included', () => {
    expect(seqs({ from: '2026-11-01' })).toEqual([2, 3, 4])
    expect(seqs({ to: '2026-10-31' })).toEqual([1])
    expect(seqs({ from: '2026-11-02', to: '2026-11-02' })).toEqual([3])
    expect(seqs({ from: '2026-11-04' })).toEqual([])
  })

  it('offer the loaded aggregate types and the event types of the chosen one', () => {
    const all = filterChoices(events, { aggregateType: '', eventType: '' })
    expect(all.aggregates).toContain('payout')
    expect(all.aggregates).toContain('periods')
    expect(all.eventTypes).toEqual(['AccountOpened', 'PayoutApproved', 'TransactionPosted', 'TransactionReversed'])
    expect(filterChoices(events, { aggregateType: 'transaction', eventType: '' }).eventTypes).toEqual(['TransactionPosted', 'TransactionReversed'])
    // Chosen values stay offered on a page without such events.
    const kept = filterChoices([], { aggregateType: 'invoice', eventType: 'Issued' })
    expect(kept.aggregates).toContain('invoice')
    expect(kept.eventTypes).toEqual(['Issued'])
  })
})
