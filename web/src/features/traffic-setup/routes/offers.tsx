import type { ColumnDef } from '@tanstack/react-table'
import { useMemo, useState } from 'react'

import { sortParam } from '@/components/data-table'
import { EntityListPage } from '@/components/entity-list-page'
import { EntityOptions } from '@/components/entity-options'
import { FilterSelect } from '@/components/filter-select'
import { useEntityList } from '@/hooks/use-entity-list'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { formatPercent } from '@/lib/money'
import { useAllTraffic, type Offer, type PayoutModel } from '@/lib/traffic/entities'

import { PAYOUT_MODELS, useArchiveTraffic, useTrafficList } from '../api'
import { ChipsCell, NameCell } from '../components/name-cell'
import { OfferDialog } from '../components/offer-dialog'
import { messages } from '../i18n'

export default function OffersPage() {
  const { t, money, locale } = useI18n(messages)
  const writer = can.writeTraffic(useRole())
  const { list, editing, dialogOpen, setDialogOpen, openNew, actionColumns } = useEntityList<Offer>({ archive: useArchiveTraffic('offers'), writer })
  const [program, setProgram] = useState('')
  const [model, setModel] = useState<PayoutModel | ''>('')
  const query = useTrafficList('offers', { ...list.params, sort: sortParam(list.sorting), program_id: program || undefined, payout_model: model || undefined })
  const programs = useAllTraffic('programs')
  const names = useMemo(() => new Map((programs.data ?? []).map((p) => [p.id, p.name])), [programs.data])

  const columns = useMemo<ColumnDef<Offer, unknown>[]>(
    () => [
      { id: 'name', header: t('common.name'), cell: ({ row }) => <NameCell name={row.original.name} archived={row.original.archived} /> },
      { id: 'program', header: t('offers.program'), enableSorting: false, cell: ({ row }) => names.get(row.original.program_id) ?? '' },
      { id: 'payout_model', header: t('offers.payoutModel'), enableSorting: false, cell: ({ row }) => t(`payoutModel.${row.original.payout_model}`) },
      {
        id: 'payout',
        header: t('offers.payout'),
        enableSorting: false,
        meta: { className: 'text-right' },
        cell: ({ row }) => (
          <span className="tabular-nums">
            {row.original.payout_model === 'rev_share' ? formatPercent(row.original.payout, locale) : money(row.original.payout, row.original.currency, { maxDecimals: 6 })}
          </span>
        ),
      },
      { id: 'countries', header: t('offers.countries'), enableSorting: false, cell: ({ row }) => <ChipsCell items={row.original.countries} max={6} /> },
      ...actionColumns,
    ],
    [t, money, locale, names, actionColumns],
  )

  return (
    <EntityListPage
      title={t('nav.trafficOffers')}
      description={t('offers.description')}
      newLabel={t('offers.new')}
      writer={writer}
      onNew={openNew}
      list={list}
      filters={
        <>
          <FilterSelect
            label={t('offers.program')}
            allLabel={t('offers.allPrograms')}
            value={program}
            onChange={(v) => {
              setProgram(v)
              list.resetPage()
            }}
          >
            <EntityOptions items={programs.data} />
          </FilterSelect>
          <FilterSelect
            label={t('offers.payoutModel')}
            allLabel={t('offers.allModels')}
            value={model}
            onChange={(v) => {
              setModel(v as PayoutModel | '')
              list.resetPage()
            }}
          >
            {PAYOUT_MODELS.map((m) => (
              <option key={m} value={m}>
                {t(`payoutModel.${m}`)}
              </option>
            ))}
          </FilterSelect>
        </>
      }
      columns={columns}
      query={query}
      emptyTitle={t('offers.empty')}
      dialog={<OfferDialog open={dialogOpen} onOpenChange={setDialogOpen} offer={editing} />}
    />
  )
}
