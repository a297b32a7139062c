import { Badge } from '@/components/ui/badge'
import { useI18n } from '@/lib/i18n'

import { messages } from '../i18n'

/** An entity's name in its list, with an "archived" badge. */
export function NameCell({ name, archived }: { name: string; archived: boolean }) {
  const { t } = useI18n(messages)
  return (
    <div className="flex items-center gap-2">
      <span className="font-medium">{name}</span>
      {archived && <Badge variant="outline">{t('common.archived')}</Badge>}
    </div>
  )
}

/** A short list of texts as chips (report keys, countries), the rest counted. */
export function ChipsCell({ items, max = 4 }: { items: string[] | undefined; max?: number }) {
  const list = items ?? []
  if (list.length === 0) return <span className="text-muted-foreground">—</span>
  return (
    <div className="flex max-w-xs flex-wrap gap-1">
      {list.slice(0, max).map((k) => (
        <Badge key={k} variant="secondary" className="max-w-40 truncate font-mono">
          {k}
        </Badge>
      ))}
      {list.length > max && <Badge variant="outline">+{list.length - max}</Badge>}
    </div>
  )
}
