import type { ColumnDef } from '@tanstack/react-table'
import { useMemo, useState } from 'react'

import { sortParam } from '@/components/data-table'
import { EntityListPage } from '@/components/entity-list-page'
import { EntityOptions } from '@/components/entity-options'
import { FilterSelect } from '@/components/filter-select'
import { useEntityList } from '@/hooks/use-entity-list'
import { useAllCounterparties } from '@/hooks/use-lookups'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { type Program } from '@/lib/traffic/entities'

import { useArchiveTraffic, useTrafficList } from '../api'
import { NameCell } from '../components/name-cell'
import { ProgramDialog } from '../components/program-dialog'
import { messages } from '../i18n'

export default function ProgramsPage() {
  const { t } = useI18n(messages)
  const writer = can.writeTraffic(useRole())
  const { list, editing, dialogOpen, setDialogOpen, openNew, actionColumns } = useEntityList<Program>({ archive: useArchiveTraffic('programs'), writer })
  const [counterparty, setCounterparty] = useState('')
  const query = useTrafficList('programs', { ...list.params, sort: sortParam(list.sorting), counterparty_id: counterparty || undefined })
  const counterparties = useAllCounterparties()
  const names = useMemo(() => new Map((counterparties.data ?? []).map((c) => [c.id, c.name])), [counterparties.data])

  const columns = useMemo<ColumnDef<Program, unknown>[]>(
    () => [
      { id: 'name', header: t('common.name'), cell: ({ row }) => <NameCell name={row.original.name} archived={row.original.archived} /> },
      { id: 'counterparty', header: t('programs.counterparty'), enableSorting: false, cell: ({ row }) => names.get(row.original.counterparty_id) ?? '' },
      { id: 'currency', header: t('common.currency'), enableSorting: false, cell: ({ row }) => row.original.currency },
      {
        id: 'website',
        header: t('traffic.website'),
        enableSorting: false,
        cell: ({ row }) =>
          row.original.website ? (
            <a href={row.original.website} target="_blank" rel="noreferrer" className="text-primary block max-w-xs truncate underline-offset-4 hover:underline">
              {row.original.website}
            </a>
          ) : null,
      },
      ...actionColumns,
    ],
    [t, names, actionColumns],
  )

  return (
    <EntityListPage
      title={t('nav.trafficPrograms')}
      description={t('programs.description')}
      newLabel={t('programs.new')}
      writer={writer}
      onNew={openNew}
      list={list}
      filters={
        <FilterSelect
          label={t('programs.counterparty')}
          allLabel={t('tx.allCounterparties')}
          value={counterparty}
          onChange={(v) => {
            setCounterparty(v)
            list.resetPage()
          }}
        >
          <EntityOptions items={counterparties.data} />
        </FilterSelect>
      }
      columns={columns}
      query={query}
      emptyTitle={t('programs.empty')}
      dialog={<ProgramDialog open={dialogOpen} onOpenChange={setDialogOpen} program={editing} />}
    />
  )
}
