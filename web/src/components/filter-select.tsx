import type { ReactNode } from 'react'

import { NativeSelect } from '@/components/ui/native-select'
import { cn } from '@/lib/utils'

/** A list filter: "all" (empty value) or one of the options. */
export function FilterSelect({
  label,
  value,
  onChange,
  allLabel,
  className,
  children,
}: {
  label: string
  value: string
  onChange: (v: string) => void
  allLabel: string
  className?: string
  children: ReactNode
}) {
  return (
    <NativeSelect className={cn('w-48', className)} value={value} aria-label={label} onChange={(e) => onChange(e.target.value)}>
      <option value="">{allLabel}</option>
      {children}
    </NativeSelect>
  )
}
