import { Search } from 'lucide-react'
import type { ReactNode } from 'react'

import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import type { ArchivedFilter } from '@/hooks/use-list-state'
import { useI18n } from '@/lib/i18n'

export function ListToolbar({
  q,
  onQ,
  archived,
  onArchived,
  children,
}: {
  q: string
  onQ: (v: string) => void
  archived?: ArchivedFilter
  onArchived?: (v: ArchivedFilter) => void
  children?: ReactNode
}) {
  const { t } = useI18n()
  return (
    <div className="mb-4 flex flex-wrap items-center gap-2">
      <div className="relative w-full max-w-xs">
        <Search className="text-muted-foreground absolute top-1/2 left-2.5 size-4 -translate-y-1/2" aria-hidden />
        <Input type="search" value={q} onChange={(e) => onQ(e.target.value)} placeholder={t('common.search')} aria-label={t('common.search')} className="pl-8" />
      </div>
      {archived && onArchived && (
        <NativeSelect className="w-40" value={archived} onChange={(e) => onArchived(e.target.value as ArchivedFilter)} aria-label={t('common.status')}>
          <option value="active">{t('common.active')}</option>
          <option value="archived">{t('common.archived')}</option>
          <option value="all">{t('common.all')}</option>
        </NativeSelect>
      )}
      {children}
    </div>
  )
}
