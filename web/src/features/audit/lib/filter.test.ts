import { describe, expect, it } from 'vitest'

import type { AuditEvent, AuditEventKinds } from '../types'
import { nextAfter } from '../api'
import { filterChoices, matchText, NO_FILTER, toQuery, validUserId } from './filter'

const event = (seq: number, aggregate_type: string, event_type: string, payload = '{}'): AuditEvent => ({
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
  recorded_at: '2026-11-01T00:00:00Z',
})

const events = [event(1, 'account', 'AccountOpened', '{"name":"Bank"}'), event(2, 'transaction', 'TransactionPosted'), event(3, 'payout', 'PayoutApproved')]

const kinds: AuditEventKinds = {
  aggregate_types: ['account', 'payout', 'transaction'],
  kinds: [
    { aggregate_type: 'account', event_type: 'AccountOpened' },
    { aggregate_type: 'payout', event_type: 'PayoutApproved' },
    { aggregate_type: 'transaction', event_type: 'TransactionPosted' },
    { aggregate_type: 'transaction', event_type: 'TransactionReversed' },
  ],
}

const USER = '0b5e7c1c-7d0a-4b8e-9a52-3f0c2d1e4a67'

describe('audit filters', () => {
  it('send only the filled-in fields, trimmed, under the server’s names', () => {
    expect(toQuery(NO_FILTER)).toEqual({})
    expect(toQuery({ ...NO_FILTER, aggregateType: 'transaction', eventType: 'Posted', aggregateId: ' tx-1 ', userId: USER, from: '2026-11-01', to: '2026-11-30' })).toEqual({
      aggregate_type: 'transaction',
      event_type: 'Posted',
      aggregate_id: 'tx-1',
      user_id: USER,
      from: '2026-11-01',
      to: '2026-11-30',
    })
    expect(toQuery({ ...NO_FILTER, aggregateId: '   ' })).toEqual({})
  })

  it('hold back a user id until it is a whole UUID', () => {
    expect(validUserId('')).toBe(true)
    expect(validUserId(USER)).toBe(true)
    expect(validUserId(USER.slice(0, 20))).toBe(false)
    expect(toQuery({ ...NO_FILTER, userId: USER.slice(0, 20) })).toEqual({})
  })

  it('offer the log’s aggregate types and the event types of the chosen one', () => {
    const all = filterChoices(kinds, { aggregateType: '', eventType: '' })
    expect(all.aggregates).toEqual(['account', 'payout', 'transaction'])
    expect(all.eventTypes).toEqual(['AccountOpened', 'PayoutApproved', 'TransactionPosted', 'TransactionReversed'])
    expect(filterChoices(kinds, { aggregateType: 'transaction', eventType: '' }).eventTypes).toEqual(['TransactionPosted', 'TransactionReversed'])
    // Chosen values stay offered before the kinds have loaded.
    const kept = filterChoices(undefined, { aggregateType: 'invoice', eventType: 'Issued' })
    expect(kept.aggregates).toEqual(['invoice'])
    expect(kept.eventTypes).toEqual(['Issued'])
  })

  it('narrow the loaded page by text, case-insensitive', () => {
    expect(matchText(events, '').map((e) => e.seq)).toEqual([1, 2, 3])
    expect(matchText(events, 'BANK').map((e) => e.seq)).toEqual([1])
    expect(matchText(events, 'h3').map((e) => e.seq)).toEqual([3])
    expect(matchText(events, 'nothing')).toEqual([])
  })

  it('read the next page’s cursor from the response header', () => {
    expect(nextAfter(new Response('', { headers: { 'x-next-after': '400' } }))).toBe(400)
    expect(nextAfter(new Response(''))).toBeNull()
    expect(nextAfter(new Response('', { headers: { 'x-next-after': 'soon' } }))).toBeNull()
  })
})
