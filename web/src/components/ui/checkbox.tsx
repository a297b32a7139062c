import * as React from 'react'

import { cn } from '@/lib/utils'

/** A styled native checkbox. */
function Checkbox({ className, ...props }: Omit<React.ComponentProps<'input'>, 'type'>) {
  return (
    <input
      type="checkbox"
      data-slot="checkbox"
      className={cn('border-input accent-primary size-4 shrink-0 rounded-sm focus-visible:ring-ring/50 outline-none focus-visible:ring-[3px]', className)}
      {...props}
    />
  )
}

export { Checkbox }
