import { describe, expect, it } from 'vitest'

import { EventStreamParser, readServerSentEvents } from './sse'

describe('EventStreamParser', () => {
  it('parses named events, multi-line data and comments across chunk borders', () => {
    const p = new EventStreamParser()
    expect(p.push(': keep-alive\n\nevent: progress\nda')).toEqual([])
    expect(p.push('ta: {"a":1}\r\n')).toEqual([])
    expect(p.push('\r\ndata: one\ndata:two\r')).toEqual([{ event: 'progress', data: '{"a":1}' }])
    expect(p.push('\n\n')).toEqual([{ event: 'message', data: 'one\ntwo' }])
  })

  it('ignores an event without data', () => {
    const p = new EventStreamParser()
    expect(p.push('event: progress\n\nid: 7\ndata: x\n\n')).toEqual([{ event: 'message', data: 'x', id: '7' }])
  })
})

describe('readServerSentEvents', () => {
  it('reads a streamed body to its end', async () => {
    const enc = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode('event: progress\ndata: 1\n\nevent: progress\n'))
        c.enqueue(enc.encode('data: 2\n'))
        c.close()
      },
    })
    const got = []
    for await (const ev of readServerSentEvents(body)) got.push(ev.data)
    expect(got).toEqual(['1', '2'])
  })
})
