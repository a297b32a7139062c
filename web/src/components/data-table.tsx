import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type OnChangeFn,
  type PaginationState,
  type SortingState,
} from '@tanstack/react-table'
import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react'
import type { ReactNode } from 'react'

import { Pagination } from '@/components/pagination'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { cn } from '@/lib/utils'

export interface ServerTableProps<T> {
  columns: ColumnDef<T, unknown>[]
  data: T[] | undefined
  total: number
  pagination: PaginationState
  onPaginationChange: OnChangeFn<PaginationState>
  sorting?: SortingState
  onSortingChange?: OnChangeFn<SortingState>
  isLoading?: boolean
  error?: unknown
  onRetry?: () => void
  emptyTitle: string
  getRowId?: (row: T) => string
  rowClassName?: (row: T) => string | undefined
  /** Rows below the body (e.g. totals), inside a <tfoot>. */
  footer?: ReactNode
  /** Accessible name of the table. */
  label?: string
  testId?: string
}

/** A table whose paging and sorting happen on the server. */
export function DataTable<T>({
  columns,
  data,
  total,
  pagination,
  onPaginationChange,
  sorting,
  onSortingChange,
  isLoading,
  error,
  onRetry,
  emptyTitle,
  getRowId,
  rowClassName,
  footer,
  label,
  testId,
}: ServerTableProps<T>) {
  // TanStack Table returns unstable function references by design; nothing here is memoized.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: data ?? [],
    columns,
    getRowId,
    rowCount: total,
    state: { pagination, sorting: sorting ?? [] },
    onPaginationChange,
    onSortingChange,
    manualPagination: true,
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
    getCoreRowModel: getCoreRowModel(),
  })

  if (error) return <ErrorState error={error} onRetry={onRetry} />
  if (isLoading && !data) return <LoadingState />

  return (
    <div className="space-y-3">
      {data && data.length === 0 ? (
        <EmptyState title={emptyTitle} />
      ) : (
        <div className="rounded-md border">
          <Table aria-label={label} data-testid={testId}>
            <TableHeader>
              {table.getHeaderGroups().map((hg) => (
                <TableRow key={hg.id}>
                  {hg.headers.map((h) => {
                    const sortable = h.column.getCanSort() && !!onSortingChange
                    const dir = h.column.getIsSorted()
                    return (
                      <TableHead
                        key={h.id}
                        aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
                        className={cn((h.column.columnDef.meta as { className?: string } | undefined)?.className)}
                      >
                        {h.isPlaceholder ? null : sortable ? (
                          <button
                            type="button"
                            className="hover:text-foreground inline-flex items-center gap-1"
                            onClick={h.column.getToggleSortingHandler()}
                          >
                            {flexRender(h.column.columnDef.header, h.getContext())}
                            {dir === 'asc' ? <ArrowUp className="size-3" /> : dir === 'desc' ? <ArrowDown className="size-3" /> : <ArrowUpDown className="size-3 opacity-40" />}
                          </button>
                        ) : (
                          flexRender(h.column.columnDef.header, h.getContext())
                        )}
                      </TableHead>
                    )
                  })}
                </TableRow>
              ))}
            </TableHeader>
            <TableBody className={cn(isLoading && 'opacity-60')}>
              {table.getRowModel().rows.map((row) => (
                <TableRow key={row.id} className={rowClassName?.(row.original)}>
                  {row.getVisibleCells().map((cell) => (
                    <TableCell key={cell.id} className={cn((cell.column.columnDef.meta as { className?: string } | undefined)?.className)}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
            {footer && <TableFooter>{footer}</TableFooter>}
          </Table>
        </div>
      )}
      <Pagination pagination={pagination} total={total} onChange={onPaginationChange} />
    </div>
  )
}

/** Maps TanStack sorting state to the API's `sort` parameter (`name`, `-name`, …). */
// eslint-disable-next-line react-refresh/only-export-components
export function sortParam(sorting: SortingState, fallback = 'name'): string {
  const s = sorting[0]
  if (!s) return fallback
  return s.desc ? `-${s.id}` : s.id
}
