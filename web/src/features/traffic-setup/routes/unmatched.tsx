import { useQueryClient } from '@tanstack/react-query'
import type { ColumnDef, PaginationState } from '@tanstack/react-table'
import { Link2 } from 'lucide-react'
import { useMemo, useState } from 'react'
import { Link, useSearchParams } from 'react-router'

import { DataTable } from '@/components/data-table'
import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { formatDecimal } from '@/lib/money'
import { useAllTraffic, type Campaign } from '@/lib/traffic/entities'
import { useUnmatched, type UnmatchedKey } from '@/lib/traffic/unmatched'

import { CampaignDialog } from '../components/campaign-dialog'
import { MapKeyDialog } from '../components/map-key-dialog'
import { messages } from '../i18n'

export default function UnmatchedPage() {
  const { t, number, date, locale } = useI18n(messages)
  const writer = can.writeTraffic(useRole())
  const qc = useQueryClient()
  const [params] = useSearchParams()
  const importId = params.get('import')
  const q = useUnmatched(importId)
  const sources = useAllTraffic('sources')
  const sourceById = useMemo(() => new Map((sources.data ?? []).map((s) => [s.id, s])), [sources.data])
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 25 })
  const [mapping, setMapping] = useState<UnmatchedKey | null>(null)
  const [creating, setCreating] = useState<Partial<Campaign> | null>(null)
  // Names come with one import's keys; the all-imports view has none to show.
  const hasNames = !!q.data?.some((u) => u.campaign_name)

  const columns = useMemo<ColumnDef<UnmatchedKey, unknown>[]>(
    () => [
      {
        id: 'side',
        header: t('unmatched.side'),
        cell: ({ row }) => <Badge variant={row.original.side === 'spend' ? 'secondary' : 'outline'}>{t(row.original.side === 'spend' ? 'unmatched.sideSpend' : 'unmatched.sideResults')}</Badge>,
      },
      { id: 'source', header: t('imports.source'), cell: ({ row }) => (row.original.source_id ? (sourceById.get(row.original.source_id)?.name ?? '') : t('unmatched.tracker')) },
      { id: 'key', header: t('unmatched.key'), cell: ({ row }) => <code className="bg-muted rounded px-1 text-xs" data-testid="unmatched-key">{row.original.campaign_key}</code> },
      ...(hasNames
        ? [
            {
              id: 'name',
              header: t('unmatched.reportName'),
              cell: ({ row }) => <span className="block max-w-56 truncate">{row.original.campaign_name ?? ''}</span>,
            } satisfies ColumnDef<UnmatchedKey, unknown>,
          ]
        : []),
      { id: 'rows', header: t('imports.rows'), meta: { className: 'text-right' }, cell: ({ row }) => <span className="tabular-nums">{number(row.original.rows)}</span> },
      {
        id: 'dates',
        header: t('imports.dates'),
        cell: ({ row }) => <span className="whitespace-nowrap">{`${date(row.original.first_date)} – ${date(row.original.last_date)}`}</span>,
      },
      {
        id: 'spend',
        header: t('metric.spend'),
        meta: { className: 'text-right' },
        cell: ({ row }) => {
          const currency = row.original.source_id ? sourceById.get(row.original.source_id)?.currency : undefined
          return currency ? <Money amount={row.original.spend} currency={currency} /> : <span className="tabular-nums">{formatDecimal(row.original.spend, locale)}</span>
        },
      },
      { id: 'revenue', header: t('metric.revenue'), meta: { className: 'text-right' }, cell: ({ row }) => <span className="tabular-nums">{formatDecimal(row.original.revenue, locale)}</span> },
      ...(writer
        ? [
            {
              id: 'actions',
              header: () => <span className="sr-only">{t('common.actions')}</span>,
              cell: ({ row }) => (
                <Button size="sm" variant="outline" onClick={() => setMapping(row.original)} aria-label={t('unmatched.mapNamed', { key: row.original.campaign_key })}>
                  <Link2 /> {t('unmatched.map')}
                </Button>
              ),
            } satisfies ColumnDef<UnmatchedKey, unknown>,
          ]
        : []),
    ],
    [t, number, date, locale, sourceById, writer, hasNames],
  )

  const all = q.data
  const page = all?.slice(pagination.pageIndex * pagination.pageSize, (pagination.pageIndex + 1) * pagination.pageSize)

  return (
    <>
      <PageHeader
        title={t('nav.trafficUnmatched')}
        description={
          importId ? (
            <>
              {t('unmatched.forImport')}{' '}
              <Link to="/traffic/unmatched" className="text-primary underline-offset-4 hover:underline">
                {t('unmatched.showAll')}
              </Link>
            </>
          ) : (
            t('unmatched.description')
          )
        }
      />
      <DataTable
        columns={columns}
        data={page}
        total={all?.length ?? 0}
        pagination={pagination}
        onPaginationChange={setPagination}
        isLoading={q.isFetching}
        error={q.error}
        onRetry={() => void q.refetch()}
        emptyTitle={t('unmatched.empty')}
        getRowId={(x) => `${x.side}|${x.source_id ?? ''}|${x.campaign_key}`}
      />
      <MapKeyDialog
        unmatched={mapping}
        sourceName={mapping?.source_id ? sourceById.get(mapping.source_id)?.name : undefined}
        onOpenChange={(o) => !o && setMapping(null)}
        onCreateNew={(k) => {
          setMapping(null)
          setCreating({
            name: k.campaign_name || k.campaign_key,
            source_id: k.source_id ?? undefined,
            status: 'active',
            source_keys: k.side === 'spend' ? [k.campaign_key] : [],
            tracker_keys: k.side === 'spend' ? [] : [k.campaign_key],
          })
        }}
      />
      <CampaignDialog
        open={!!creating}
        onOpenChange={(o) => !o && setCreating(null)}
        prefill={creating ?? undefined}
        onSaved={() => void qc.invalidateQueries({ queryKey: ['traffic', 'unmatched'] })}
      />
    </>
  )
}
