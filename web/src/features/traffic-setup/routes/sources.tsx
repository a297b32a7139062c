import type { ColumnDef } from '@tanstack/react-table'
import { useMemo, useState } from 'react'

import { sortParam } from '@/components/data-table'
import { EntityListPage } from '@/components/entity-list-page'
import { FilterSelect } from '@/components/filter-select'
import { useEntityList } from '@/hooks/use-entity-list'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { type SourceKind, type TrafficSource } from '@/lib/traffic/entities'

import { SOURCE_KINDS, useArchiveTraffic, useTrafficList } from '../api'
import { NameCell } from '../components/name-cell'
import { SourceDialog } from '../components/source-dialog'
import { messages } from '../i18n'

export default function SourcesPage() {
  const { t, date } = useI18n(messages)
  const writer = can.writeTraffic(useRole())
  const { list, editing, dialogOpen, setDialogOpen, openNew, actionColumns } = useEntityList<TrafficSource>({ archive: useArchiveTraffic('sources'), writer })
  const [kind, setKind] = useState<SourceKind | ''>('')
  const query = useTrafficList('sources', { ...list.params, sort: sortParam(list.sorting), kind: kind || undefined })

  const columns = useMemo<ColumnDef<TrafficSource, unknown>[]>(
    () => [
      { id: 'name', header: t('common.name'), cell: ({ row }) => <NameCell name={row.original.name} archived={row.original.archived} /> },
      { id: 'kind', header: t('sources.kind'), enableSorting: false, cell: ({ row }) => t(`sourceKind.${row.original.kind}`) },
      { id: 'currency', header: t('common.currency'), enableSorting: false, cell: ({ row }) => row.original.currency },
      { id: 'timezone', header: t('sources.timezone'), enableSorting: false, cell: ({ row }) => row.original.timezone ?? 'UTC' },
      { id: 'updated_at', header: t('common.updated'), cell: ({ row }) => date(row.original.updated_at.slice(0, 10)) },
      ...actionColumns,
    ],
    [t, date, actionColumns],
  )

  return (
    <EntityListPage
      title={t('nav.trafficSources')}
      description={t('sources.description')}
      newLabel={t('sources.new')}
      writer={writer}
      onNew={openNew}
      list={list}
      filters={
        <FilterSelect
          label={t('sources.kind')}
          allLabel={t('sources.allKinds')}
          value={kind}
          onChange={(v) => {
            setKind(v as SourceKind | '')
            list.resetPage()
          }}
        >
          {SOURCE_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`sourceKind.${k}`)}
            </option>
          ))}
        </FilterSelect>
      }
      columns={columns}
      query={query}
      emptyTitle={t('sources.empty')}
      dialog={<SourceDialog open={dialogOpen} onOpenChange={setDialogOpen} source={editing} />}
    />
  )
}
