import { Badge } from '@/components/ui/badge'
import { useI18n } from '@/lib/i18n'
import { cn } from '@/lib/utils'

import { messages } from '../i18n'
import { labelOf } from '../lib/labels'

const STYLE: Record<string, string> = {
  queued: 'bg-secondary text-secondary-foreground border-transparent',
  running: 'bg-blue-100 text-blue-800 border-transparent dark:bg-blue-950 dark:text-blue-200',
  done: 'bg-emerald-100 text-emerald-800 border-transparent dark:bg-emerald-950 dark:text-emerald-200',
  failed: 'bg-destructive text-white border-transparent',
  duplicate: 'text-foreground',
}

/** The state of an import as a coloured badge. */
export function ImportStateBadge({ state }: { state: string }) {
  const { t } = useI18n(messages)
  return (
    <Badge variant="outline" className={cn(STYLE[state])} data-testid="import-state">
      {labelOf(t, 'importState', state)}
    </Badge>
  )
}
