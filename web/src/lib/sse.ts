/**
 * A reader of Server-Sent Events over a fetch response body. EventSource cannot send the
 * bearer token, so authenticated streams are read with fetch and parsed here (the
 * text/event-stream format of the HTML standard: `event:`, `data:`, `id:`, comments, blank
 * line ends an event).
 */
export interface ServerSentEvent {
  event: string
  data: string
  id?: string
}

/** Parses a text/event-stream incrementally: feed chunks, get the completed events. */
export class EventStreamParser {
  private buffer = ''
  private event = ''
  private data: string[] = []
  private id: string | undefined

  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk
    const out: ServerSentEvent[] = []
    // Lines end with \r\n, \n or \r; a trailing \r may be half of a \r\n still to come.
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buffer)
      if (!m) break
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break
      const line = this.buffer.slice(0, m.index)
      this.buffer = this.buffer.slice(m.index + m[0].length)
      const ev = this.line(line)
      if (ev) out.push(ev)
    }
    return out
  }

  private line(line: string): ServerSentEvent | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = ''
        return null
      }
      const ev: ServerSentEvent = { event: this.event || 'message', data: this.data.join('\n'), ...(this.id !== undefined ? { id: this.id } : {}) }
      this.event = ''
      this.data = []
      return ev
    }
    if (line.startsWith(':')) return null
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') this.event = value
    else if (field === 'data') this.data.push(value)
    else if (field === 'id') this.id = value
    return null
  }
}

/** Yields the events of a streaming response body until it ends. */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const parser = new EventStreamParser()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      for (const ev of parser.push(decoder.decode(value, { stream: true }))) yield ev
    }
    for (const ev of parser.push(decoder.decode() + '\n\n')) yield ev
  } finally {
    reader.releaseLock()
  }
}
