import { Badge } from '@/components/ui/badge'
import { useI18n } from '@/lib/i18n'
import { cn } from '@/lib/utils'

import type { PayoutStatus } from '../api'
import { messages } from '../i18n'

const STYLES: Record<PayoutStatus, string> = {
  draft: 'border-amber-300 bg-amber-50 text-amber-900',
  approved: 'border-sky-300 bg-sky-50 text-sky-900',
  paid: 'border-green-300 bg-green-50 text-green-900',
  cancelled: 'text-muted-foreground line-through',
}

export function PayoutStatusBadge({ status }: { status: string }) {
  const { t } = useI18n(messages)
  const s = status as PayoutStatus
  return (
    <Badge variant="outline" className={cn(STYLES[s])} data-testid="payout-status">
      {STYLES[s] ? t(`payoutStatus.${s}`) : status}
    </Badge>
  )
}
