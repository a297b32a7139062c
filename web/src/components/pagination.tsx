import type { PaginationState } from '@tanstack/react-table'
import { ChevronLeft, ChevronRight } from 'lucide-react'

import { Button } from '@/components/ui/button'
import { NativeSelect } from '@/components/ui/native-select'
import { useI18n } from '@/lib/i18n'

const PAGE_SIZES = [10, 25, 50, 100]

/**
 * The pager under a server-paged list: "from–to of total", rows per page, previous/next. A new
 * page size goes back to the first page.
 */
export function Pagination({ pagination, total, onChange }: { pagination: PaginationState; total: number; onChange: (p: PaginationState) => void }) {
  const { t, number } = useI18n()
  const { pageIndex, pageSize } = pagination
  const pages = Math.max(1, Math.ceil(total / pageSize))
  const from = total === 0 ? 0 : pageIndex * pageSize + 1
  const to = Math.min(total, (pageIndex + 1) * pageSize)
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
      <span className="text-muted-foreground" aria-live="polite" data-testid="pagination-range">
        {t('table.range', { from: number(from), to: number(to), total: number(total) })}
      </span>
      <div className="flex items-center gap-2">
        <label className="text-muted-foreground flex items-center gap-2">
          {t('table.rowsPerPage')}
          <NativeSelect className="w-20" value={String(pageSize)} onChange={(e) => onChange({ pageIndex: 0, pageSize: Number(e.target.value) })}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </NativeSelect>
        </label>
        <Button variant="outline" size="icon" onClick={() => onChange({ pageIndex: pageIndex - 1, pageSize })} disabled={pageIndex <= 0} aria-label={t('table.previous')}>
          <ChevronLeft />
        </Button>
        <span className="tabular-nums">{t('table.page', { page: pageIndex + 1, pages })}</span>
        <Button variant="outline" size="icon" onClick={() => onChange({ pageIndex: pageIndex + 1, pageSize })} disabled={pageIndex + 1 >= pages} aria-label={t('table.next')}>
          <ChevronRight />
        </Button>
      </div>
    </div>
  )
}
