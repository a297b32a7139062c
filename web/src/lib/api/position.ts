/**
 * Read-your-writes: every command answers with the log `position` it was written at; reads
 * pass `min_position` so the server answers only once its read side includes that write.
 */
let lastPosition = 0
const listeners = new Set<() => void>()

export function notePosition(position: number | null | undefined) {
  if (typeof position === 'number' && position > lastPosition) {
    lastPosition = position
    listeners.forEach((l) => l())
  }
}

export function currentPosition(): number {
  return lastPosition
}

/** `{ min_position }` to spread into a query, or nothing before the first write. */
export function minPosition(): { min_position?: number } {
  return lastPosition > 0 ? { min_position: lastPosition } : {}
}
