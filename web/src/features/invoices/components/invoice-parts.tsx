import { Badge } from '@/components/ui/badge'
import { useI18n } from '@/lib/i18n'
import { cn } from '@/lib/utils'

import type { InvoiceStatus } from '../api'
import { messages } from '../i18n'

const STYLES: Record<InvoiceStatus, string> = {
  draft: 'bg-muted text-muted-foreground',
  issued: 'bg-blue-100 text-blue-800',
  partially_paid: 'bg-amber-100 text-amber-800',
  paid: 'bg-green-100 text-green-800',
  overdue: 'bg-red-100 text-red-800',
  cancelled: 'bg-muted text-muted-foreground line-through',
}

export function InvoiceStatusBadge({ status }: { status: string }) {
  const { t } = useI18n(messages)
  const s = (status in STYLES ? status : 'draft') as InvoiceStatus
  return (
    <Badge variant="outline" className={cn('border-transparent', STYLES[s])} data-testid="invoice-status">
      {t(`invoiceStatus.${s}`)}
    </Badge>
  )
}
