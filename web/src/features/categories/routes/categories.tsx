import type { ColumnDef } from '@tanstack/react-table'
import { CornerDownRight } from 'lucide-react'
import { useMemo, useState } from 'react'

import { sortParam } from '@/components/data-table'
import { EntityListPage } from '@/components/entity-list-page'
import { Badge } from '@/components/ui/badge'
import { NativeSelect } from '@/components/ui/native-select'
import { useEntityList } from '@/hooks/use-entity-list'
import { useAllCategories } from '@/hooks/use-lookups'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { useArchiveCategory, useCategories, type Category, type CategoryKind } from '../api'
import { CategoryDialog } from '../components/category-dialog'
import { messages } from '../i18n'

export default function CategoriesPage() {
  const { t } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const { list, editing, dialogOpen, setDialogOpen, openNew, actionColumns } = useEntityList<Category>({ archive: useArchiveCategory(), writer })
  const [kind, setKind] = useState<CategoryKind | ''>('')
  const [parent, setParent] = useState('')
  const all = useAllCategories()
  const query = useCategories({ ...list.params, sort: sortParam(list.sorting), kind: kind || undefined, parent_id: parent || undefined })

  // Depth and parent names come from the full list, so each page shows its place in the tree.
  const tree = useMemo(() => {
    const byId = new Map((all.data ?? []).map((c) => [c.id, c]))
    const depth = (c: Category): number => {
      let d = 0
      let p = c.parent_id ? byId.get(c.parent_id) : undefined
      while (p && d < 20) {
        d += 1
        p = p.parent_id ? byId.get(p.parent_id) : undefined
      }
      return d
    }
    return { byId, depth }
  }, [all.data])

  const columns = useMemo<ColumnDef<Category, unknown>[]>(
    () => [
      {
        id: 'name',
        header: t('common.name'),
        cell: ({ row }) => {
          const d = tree.depth(row.original)
          return (
            <div className="flex items-center gap-2" style={{ paddingLeft: `${d * 1.25}rem` }}>
              {d > 0 && <CornerDownRight className="text-muted-foreground size-3" aria-hidden />}
              <span className="font-medium">{row.original.name}</span>
              {row.original.archived && <Badge variant="outline">{t('common.archived')}</Badge>}
            </div>
          )
        },
      },
      { id: 'kind', header: t('categories.kind'), enableSorting: false, cell: ({ row }) => t(`categoryKind.${row.original.kind}`) },
      {
        id: 'parent',
        header: t('categories.parent'),
        enableSorting: false,
        cell: ({ row }) => (row.original.parent_id ? (tree.byId.get(row.original.parent_id)?.name ?? '…') : ''),
      },
      ...actionColumns,
    ],
    [t, actionColumns, tree],
  )

  // Sorted by name (the default), a page is shown parents-first like a tree.
  const items = useMemo(() => {
    const rows = query.data?.items
    if (!rows || list.sorting[0]?.id !== 'name' || list.sorting[0]?.desc) return rows
    const path = (c: Category): string => {
      const names: string[] = []
      let cur: Category | undefined = c
      for (let i = 0; cur && i < 20; i++) {
        names.unshift(cur.name.toLowerCase())
        cur = cur.parent_id ? tree.byId.get(cur.parent_id) : undefined
      }
      return names.join('\u0000')
    }
    return [...rows].sort((a, b) => path(a).localeCompare(path(b)))
  }, [query.data, list.sorting, tree])

  return (
    <EntityListPage
      title={t('nav.categories')}
      description={t('categories.description')}
      newLabel={t('categories.new')}
      writer={writer}
      onNew={openNew}
      list={list}
      filters={
        <>
          <NativeSelect className="w-40" value={kind} aria-label={t('categories.kind')} onChange={(e) => { setKind(e.target.value as CategoryKind | ''); list.resetPage() }}>
            <option value="">{t('categories.allKinds')}</option>
            <option value="income">{t('categoryKind.income')}</option>
            <option value="expense">{t('categoryKind.expense')}</option>
          </NativeSelect>
          <NativeSelect className="w-48" value={parent} aria-label={t('categories.parent')} onChange={(e) => { setParent(e.target.value); list.resetPage() }}>
            <option value="">{t('categories.anyParent')}</option>
            {(all.data ?? [])
              .filter((c) => (all.data ?? []).some((x) => x.parent_id === c.id))
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </NativeSelect>
        </>
      }
      columns={columns}
      query={query}
      rows={items}
      emptyTitle={t('categories.empty')}
      dialog={<CategoryDialog open={dialogOpen} onOpenChange={setDialogOpen} category={editing} />}
    />
  )
}
