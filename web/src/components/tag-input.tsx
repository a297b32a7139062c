import { X } from 'lucide-react'
import { useState, type ClipboardEvent, type KeyboardEvent } from 'react'

import { useI18n } from '@/lib/i18n'
import { cn } from '@/lib/utils'

/**
 * A list of short texts edited as chips: Enter, Tab (with text) or a comma adds the typed text,
 * pasting splits on commas and line breaks, Backspace in an empty box removes the last chip.
 * `id` and `aria-*` (as FormField passes them) go to the text box.
 */
export function TagInput({
  value,
  onChange,
  normalize = (s) => s.trim(),
  isInvalid,
  placeholder,
  id,
  className,
  'aria-invalid': ariaInvalid,
  'aria-describedby': ariaDescribedBy,
  'aria-label': ariaLabel,
  disabled,
}: {
  value: string[]
  onChange: (next: string[]) => void
  /** Applied to each new tag (e.g. upper-casing country codes); empty results are dropped. */
  normalize?: (s: string) => string
  /** Marks a chip as invalid (red), e.g. when the form's validation refused it. */
  isInvalid?: (tag: string) => boolean
  placeholder?: string
  id?: string
  className?: string
  'aria-invalid'?: boolean
  'aria-describedby'?: string
  'aria-label'?: string
  disabled?: boolean
}) {
  const { t } = useI18n()
  const [text, setText] = useState('')

  const add = (raw: string[]) => {
    const next = [...value]
    for (const r of raw) {
      const v = normalize(r)
      if (v && !next.includes(v)) next.push(v)
    }
    if (next.length !== value.length) onChange(next)
    setText('')
  }
  const remove = (i: number) => onChange(value.filter((_, j) => j !== i))

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if ((e.key === 'Enter' || e.key === ',' || (e.key === 'Tab' && text.trim())) && !e.nativeEvent.isComposing) {
      if (!text.trim()) {
        if (e.key === ',') e.preventDefault()
        return
      }
      e.preventDefault()
      add([text])
    } else if (e.key === 'Backspace' && text === '' && value.length > 0) {
      remove(value.length - 1)
    }
  }
  const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const pasted = e.clipboardData.getData('text')
    if (/[,\n\r\t]/.test(pasted)) {
      e.preventDefault()
      add((text + pasted).split(/[,\n\r\t]+/))
    }
  }

  return (
    <div
      className={cn(
        'border-input focus-within:border-ring focus-within:ring-ring/50 flex min-h-9 w-full flex-wrap items-center gap-1 rounded-md border px-2 py-1 shadow-xs focus-within:ring-[3px]',
        ariaInvalid && 'border-destructive',
        disabled && 'opacity-50',
        className,
      )}
      data-slot="tag-input"
    >
      {value.map((tag, i) => (
        <span
          key={tag}
          data-testid="tag"
          className={cn(
            'bg-secondary text-secondary-foreground inline-flex max-w-full items-center gap-1 rounded px-1.5 py-0.5 text-xs',
            isInvalid?.(tag) && 'bg-destructive/15 text-destructive',
          )}
        >
          <span className="truncate">{tag}</span>
          <button
            type="button"
            className="hover:text-foreground rounded outline-none focus-visible:ring-2"
            onClick={() => remove(i)}
            aria-label={t('common.removeNamed', { name: tag })}
            disabled={disabled}
          >
            <X className="size-3" aria-hidden />
          </button>
        </span>
      ))}
      <input
        id={id}
        value={text}
        disabled={disabled}
        aria-invalid={ariaInvalid}
        aria-describedby={ariaDescribedBy}
        aria-label={ariaLabel}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        onBlur={() => text.trim() && add([text])}
        placeholder={value.length === 0 ? placeholder : undefined}
        className="placeholder:text-muted-foreground min-w-24 flex-1 bg-transparent py-0.5 text-base outline-none md:text-sm"
      />
    </div>
  )
}
