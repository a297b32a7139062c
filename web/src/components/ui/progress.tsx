import * as React from 'react'

import { cn } from '@/lib/utils'

/** A determinate progress bar; `value` from 0 to 1. */
function Progress({ value, className, ...props }: { value: number } & React.ComponentProps<'div'>) {
  const pct = Math.round(Math.min(1, Math.max(0, value)) * 100)
  return (
    <div
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      data-slot="progress"
      className={cn('bg-primary/20 relative h-2 w-full overflow-hidden rounded-full', className)}
      {...props}
    >
      <div className="bg-primary h-full transition-[width] duration-300" style={{ width: `${pct}%` }} />
    </div>
  )
}

export { Progress }
