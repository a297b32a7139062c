import { Button } from '@/components/ui/button'

/** A small set of mutually exclusive choices shown as buttons (a radio group). */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string
  value: T
  options: { value: T; label: string }[]
  onChange: (v: T) => void
}) {
  return (
    <div role="radiogroup" aria-label={label} className="bg-muted inline-flex gap-1 rounded-lg p-1">
      {options.map((o) => (
        <Button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={o.value === value}
          size="sm"
          variant={o.value === value ? 'default' : 'ghost'}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </Button>
      ))}
    </div>
  )
}
