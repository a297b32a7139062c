import type { ColumnDef } from '@tanstack/react-table'
import { useMemo, useState } from 'react'

import { sortParam } from '@/components/data-table'
import { EntityListPage } from '@/components/entity-list-page'
import { Badge } from '@/components/ui/badge'
import { NativeSelect } from '@/components/ui/native-select'
import { useEntityList } from '@/hooks/use-entity-list'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { COUNTERPARTY_KINDS, useArchiveCounterparty, useCounterparties, type Counterparty, type CounterpartyKind } from '../api'
import { CounterpartyDialog } from '../components/counterparty-dialog'
import { messages } from '../i18n'

export default function CounterpartiesPage() {
  const { t } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const { list, editing, dialogOpen, setDialogOpen, openNew, actionColumns } = useEntityList<Counterparty>({ archive: useArchiveCounterparty(), writer })
  const [kind, setKind] = useState<CounterpartyKind | ''>('')
  const query = useCounterparties({ ...list.params, sort: sortParam(list.sorting), kind: kind || undefined })

  const columns = useMemo<ColumnDef<Counterparty, unknown>[]>(
    () => [
      {
        id: 'name',
        header: t('common.name'),
        cell: ({ row }) => (
          <div className="flex items-center gap-2">
            <span className="font-medium">{row.original.name}</span>
            {row.original.archived && <Badge variant="outline">{t('common.archived')}</Badge>}
          </div>
        ),
      },
      { id: 'kind', header: t('counterparties.kind'), enableSorting: false, cell: ({ row }) => t(`counterpartyKind.${row.original.kind}`) },
      { id: 'email', header: t('common.email'), enableSorting: false, cell: ({ row }) => row.original.email ?? '' },
      { id: 'phone', header: t('common.phone'), enableSorting: false, cell: ({ row }) => row.original.phone ?? '' },
      { id: 'contacts', header: t('counterparties.contacts'), enableSorting: false, cell: ({ row }) => (row.original.contacts ?? []).map((c) => c.name).join(', ') },
      ...actionColumns,
    ],
    [t, actionColumns],
  )

  return (
    <EntityListPage
      title={t('nav.counterparties')}
      description={t('counterparties.description')}
      newLabel={t('counterparties.new')}
      writer={writer}
      onNew={openNew}
      list={list}
      filters={
        <NativeSelect className="w-48" value={kind} aria-label={t('counterparties.kind')} onChange={(e) => { setKind(e.target.value as CounterpartyKind | ''); list.resetPage() }}>
          <option value="">{t('counterparties.allKinds')}</option>
          {COUNTERPARTY_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`counterpartyKind.${k}`)}
            </option>
          ))}
        </NativeSelect>
      }
      columns={columns}
      query={query}
      emptyTitle={t('counterparties.empty')}
      dialog={<CounterpartyDialog open={dialogOpen} onOpenChange={setDialogOpen} counterparty={editing} />}
    />
  )
}
