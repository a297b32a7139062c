import type { ColumnDef } from '@tanstack/react-table'
import { useMemo, useState } from 'react'

import { sortParam } from '@/components/data-table'
import { EntityListPage } from '@/components/entity-list-page'
import { EntityOptions } from '@/components/entity-options'
import { FilterSelect } from '@/components/filter-select'
import { Badge } from '@/components/ui/badge'
import { useEntityList } from '@/hooks/use-entity-list'
import { useAllProjects } from '@/hooks/use-lookups'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { useAllTraffic, type Campaign, type CampaignStatus } from '@/lib/traffic/entities'

import { CAMPAIGN_STATUSES, useArchiveTraffic, useTrafficList } from '../api'
import { CampaignDialog } from '../components/campaign-dialog'
import { ChipsCell, NameCell } from '../components/name-cell'
import { messages } from '../i18n'

const STATUS_VARIANT: Record<CampaignStatus, 'default' | 'secondary' | 'outline'> = { active: 'default', paused: 'secondary', ended: 'outline' }

export default function CampaignsPage() {
  const { t } = useI18n(messages)
  const writer = can.writeTraffic(useRole())
  const { list, editing, dialogOpen, setDialogOpen, openNew, actionColumns } = useEntityList<Campaign>({ archive: useArchiveTraffic('campaigns'), writer })
  const [filters, setFilters] = useState({ source_id: '', offer_id: '', project_id: '', status: '' })
  const query = useTrafficList('campaigns', {
    ...list.params,
    sort: sortParam(list.sorting),
    source_id: filters.source_id || undefined,
    offer_id: filters.offer_id || undefined,
    project_id: filters.project_id || undefined,
    status: (filters.status || undefined) as CampaignStatus | undefined,
  })
  const sources = useAllTraffic('sources')
  const offers = useAllTraffic('offers')
  const projects = useAllProjects()
  const names = useMemo(
    () => new Map([...(sources.data ?? []), ...(offers.data ?? []), ...(projects.data ?? [])].map((x) => [x.id, x.name])),
    [sources.data, offers.data, projects.data],
  )
  const setFilter = (k: keyof typeof filters) => (v: string) => {
    setFilters((f) => ({ ...f, [k]: v }))
    list.resetPage()
  }

  const columns = useMemo<ColumnDef<Campaign, unknown>[]>(
    () => [
      { id: 'name', header: t('common.name'), cell: ({ row }) => <NameCell name={row.original.name} archived={row.original.archived} /> },
      {
        id: 'status',
        header: t('campaigns.status'),
        enableSorting: false,
        cell: ({ row }) => <Badge variant={STATUS_VARIANT[row.original.status]}>{t(`campaignStatus.${row.original.status}`)}</Badge>,
      },
      { id: 'source', header: t('campaigns.source'), enableSorting: false, cell: ({ row }) => names.get(row.original.source_id) ?? '' },
      { id: 'offer', header: t('campaigns.offer'), enableSorting: false, cell: ({ row }) => (row.original.offer_id ? names.get(row.original.offer_id) : '') },
      { id: 'project', header: t('campaigns.project'), enableSorting: false, cell: ({ row }) => (row.original.project_id ? names.get(row.original.project_id) : '') },
      { id: 'source_keys', header: t('campaigns.sourceKeys'), enableSorting: false, cell: ({ row }) => <ChipsCell items={row.original.source_keys} /> },
      { id: 'tracker_keys', header: t('campaigns.trackerKeys'), enableSorting: false, cell: ({ row }) => <ChipsCell items={row.original.tracker_keys} /> },
      ...actionColumns,
    ],
    [t, names, actionColumns],
  )

  return (
    <EntityListPage
      title={t('nav.trafficCampaigns')}
      description={t('campaigns.description')}
      newLabel={t('campaigns.new')}
      writer={writer}
      onNew={openNew}
      list={list}
      filters={
        <>
          <FilterSelect label={t('campaigns.source')} allLabel={t('traffic.allSources')} value={filters.source_id} onChange={setFilter('source_id')}>
            <EntityOptions items={sources.data} />
          </FilterSelect>
          <FilterSelect label={t('campaigns.offer')} allLabel={t('traffic.allOffers')} value={filters.offer_id} onChange={setFilter('offer_id')}>
            <EntityOptions items={offers.data} />
          </FilterSelect>
          <FilterSelect label={t('campaigns.project')} allLabel={t('tx.allProjects')} value={filters.project_id} onChange={setFilter('project_id')}>
            <EntityOptions items={projects.data} />
          </FilterSelect>
          <FilterSelect label={t('campaigns.statusFilter')} allLabel={t('campaigns.allStatuses')} value={filters.status} onChange={setFilter('status')} className="w-40">
            {CAMPAIGN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`campaignStatus.${s}`)}
              </option>
            ))}
          </FilterSelect>
        </>
      }
      columns={columns}
      query={query}
      emptyTitle={t('campaigns.empty')}
      dialog={<CampaignDialog open={dialogOpen} onOpenChange={setDialogOpen} campaign={editing} />}
    />
  )
}
