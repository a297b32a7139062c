import { CalendarDays } from 'lucide-react'
import { useRef, useState, type ComponentProps } from 'react'
import { Controller, type Control, type FieldPath, type FieldValues } from 'react-hook-form'

import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { dayPlaceholder, formatDayInput, parseDayInput } from '@/lib/dates'
import { useI18n } from '@/lib/i18n'
import { cn } from '@/lib/utils'

type InputProps = Omit<ComponentProps<'input'>, 'value' | 'onChange' | 'type' | 'min' | 'max' | 'defaultValue'>

export interface DateFieldProps extends InputProps {
  /** An ISO day (YYYY-MM-DD), or '' for none. */
  value: string
  /** Called with an ISO day, or '' when the field is cleared; never with a half-typed text. */
  onChange: (iso: string) => void
  /** Earliest and latest ISO day the picker offers. */
  min?: string
  max?: string
}

/**
 * A calendar-date field that reads and writes the app's language (en: 11/26/2026, ru:
 * 26.11.2026), whatever the browser's locale; the value stays an ISO day. The button opens
 * the browser's own calendar.
 */
export function DateField({ value, onChange, min, max, className, onBlur, disabled, ...props }: DateFieldProps) {
  const { locale, t } = useI18n()
  const [text, setText] = useState(() => formatDayInput(value, locale))
  // What the text was last synced from: a new value or language from outside rewrites it.
  const [synced, setSynced] = useState({ value, locale })
  if (synced.value !== value || synced.locale !== locale) {
    setSynced({ value, locale })
    if (parseDayInput(text, locale) !== value || synced.locale !== locale) setText(formatDayInput(value, locale))
  }
  const picker = useRef<HTMLInputElement>(null)
  const invalid = text.trim() !== '' && parseDayInput(text, locale) === null
  const placeholder = dayPlaceholder(locale, { day: t('date.dayLetter'), month: t('date.monthLetter'), year: t('date.yearLetter') })

  const change = (next: string) => {
    setText(next)
    if (!next.trim()) onChange('')
    else {
      const iso = parseDayInput(next, locale)
      if (iso !== null && iso !== value) onChange(iso)
    }
  }

  return (
    <div className={cn('relative flex items-center', className)}>
      <Input
        {...props}
        inputMode="numeric"
        autoComplete="off"
        placeholder={placeholder}
        disabled={disabled}
        value={text}
        aria-invalid={invalid || props['aria-invalid'] ? true : undefined}
        className="pr-9"
        onChange={(e) => change(e.target.value)}
        onBlur={(e) => {
          // A text that is no day goes back to the value it stands for.
          if (invalid) setText(formatDayInput(value, locale))
          onBlur?.(e)
        }}
      />
      <Button
        type="button"
        variant="ghost"
        size="icon"
        className="absolute right-0.5 size-8"
        aria-label={t('date.pick')}
        title={t('date.pick')}
        disabled={disabled}
        tabIndex={-1}
        onClick={() => picker.current?.showPicker?.()}
      >
        <CalendarDays />
      </Button>
      <input
        ref={picker}
        type="date"
        tabIndex={-1}
        aria-hidden
        className="pointer-events-none absolute right-0 bottom-0 size-px opacity-0"
        value={value}
        min={min}
        max={max}
        onChange={(e) => change(formatDayInput(e.target.value, locale))}
      />
    </div>
  )
}

/** A DateField bound to a React Hook Form field holding an ISO day. */
export function FormDateField<T extends FieldValues>({ control, name, ...props }: { control: Control<T>; name: FieldPath<T> } & Omit<DateFieldProps, 'value' | 'onChange' | 'name'>) {
  return (
    <Controller
      control={control}
      name={name}
      render={({ field }) => <DateField {...props} ref={field.ref} name={field.name} value={(field.value as string | null | undefined) ?? ''} onChange={field.onChange} onBlur={field.onBlur} />}
    />
  )
}
