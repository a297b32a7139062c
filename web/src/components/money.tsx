import { isNegative } from '@/lib/money'
import { useI18n } from '@/lib/i18n'
import { cn } from '@/lib/utils'

/** A right-aligned, tabular amount; negatives in red. */
export function Money({ amount, currency, className, signed }: { amount: string | null | undefined; currency: string; className?: string; signed?: boolean }) {
  const { money } = useI18n()
  if (amount === null || amount === undefined) return <span className="text-muted-foreground">—</span>
  let negative = false
  try {
    negative = isNegative(amount)
  } catch {
    /* not a number */
  }
  return (
    <span className={cn('tabular-nums whitespace-nowrap', negative && 'text-red-600', className)}>
      {money(amount, currency, { signed })}
    </span>
  )
}
