import type { TFunction } from '@/lib/i18n'

/** Translates `prefix.value` when the dictionary has it; otherwise shows the value itself. */
export function labelOf<K extends string>(t: TFunction<K>, prefix: string, value: string | null | undefined): string {
  if (!value) return '—'
  const key = `${prefix}.${value}`
  const text = t(key as K)
  return text === key ? value : text
}
