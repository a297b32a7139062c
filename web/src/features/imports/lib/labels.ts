import type { MessageKey, TFunction } from '@/lib/i18n'

/** Translates `prefix.value` when the dictionary has it; otherwise shows the value itself. */
export function labelOf(t: TFunction, prefix: string, value: string | null | undefined): string {
  if (!value) return '—'
  const key = `${prefix}.${value}`
  const text = t(key as MessageKey)
  return text === key ? value : text
}
