import type { PaginationState, SortingState } from '@tanstack/react-table'
import { useState } from 'react'

import { useDebounced } from './use-debounced'

export type ArchivedFilter = 'active' | 'archived' | 'all'

export function archivedParam(f: ArchivedFilter): boolean | undefined {
  return f === 'all' ? undefined : f === 'archived'
}

/** Search, archived filter, sorting and paging of a server-side list. */
export function useListState(initialSort: SortingState = [{ id: 'name', desc: false }]) {
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 25 })
  const [sorting, setSortingState] = useState<SortingState>(initialSort)
  const [q, setQState] = useState('')
  const [archived, setArchivedState] = useState<ArchivedFilter>('active')
  const debouncedQ = useDebounced(q.trim())
  const firstPage = () => setPagination((p) => ({ ...p, pageIndex: 0 }))
  return {
    pagination,
    setPagination,
    sorting,
    setSorting: (u: SortingState | ((old: SortingState) => SortingState)) => {
      setSortingState(u)
      firstPage()
    },
    q,
    setQ: (v: string) => {
      setQState(v)
      firstPage()
    },
    debouncedQ,
    archived,
    setArchived: (v: ArchivedFilter) => {
      setArchivedState(v)
      firstPage()
    },
    /** Query parameters common to every entity list. */
    params: {
      limit: pagination.pageSize,
      offset: pagination.pageIndex * pagination.pageSize,
      q: debouncedQ || undefined,
      archived: archivedParam(archived),
    },
    resetPage: firstPage,
  }
}
