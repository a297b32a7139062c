import type { ColumnDef, PaginationState } from '@tanstack/react-table'
import { CheckCircle2, CircleDollarSign, Plus } from 'lucide-react'
import { useMemo, useState } from 'react'
import { Link } from 'react-router'

import { DataTable } from '@/components/data-table'
import { EntityOptions } from '@/components/entity-options'
import { FilterSelect } from '@/components/filter-select'
import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { Button } from '@/components/ui/button'
import { useSearchParam } from '@/hooks/use-search-param'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { useAllTraffic } from '@/lib/traffic/entities'

import { PAYOUT_STATUSES, usePayouts, type Payout } from '../api'
import { NewPayoutDialog } from '../components/new-payout-dialog'
import { ApprovePayoutDialog, PayPayoutDialog } from '../components/payout-dialogs'
import { PayoutStatusBadge } from '../components/payout-status-badge'
import { messages } from '../i18n'

export default function PayoutsPage() {
  const { t, date, number } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const [params, setParam] = useSearchParam()
  const program = params.get('program_id') ?? ''
  const status = params.get('status') ?? ''
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 25 })
  const [dialogOpen, setDialogOpen] = useState(false)
  const [acting, setActing] = useState<{ payout: Payout; action: 'approve' | 'pay' } | null>(null)
  const programs = useAllTraffic('programs')
  const programNames = useMemo(() => new Map((programs.data ?? []).map((p) => [p.id, p.name])), [programs.data])
  const query = usePayouts({
    program_id: program || undefined,
    status: status || undefined,
    limit: pagination.pageSize,
    offset: pagination.pageIndex * pagination.pageSize,
  })
  const setFilter = (key: string, value: string) => {
    setParam(key, value)
    setPagination((p) => ({ ...p, pageIndex: 0 }))
  }

  const columns = useMemo<ColumnDef<Payout, unknown>[]>(
    () => [
      {
        id: 'period',
        header: t('payouts.period'),
        cell: ({ row }) => (
          <Link to={`/traffic/payouts/${row.original.id}`} className="text-primary font-medium underline-offset-4 hover:underline" data-testid="payout-link">
            {date(row.original.from)} – {date(row.original.to)}
          </Link>
        ),
      },
      { id: 'program', header: t('payouts.program'), cell: ({ row }) => programNames.get(row.original.program_id) ?? '…' },
      { id: 'status', header: t('common.status'), cell: ({ row }) => <PayoutStatusBadge status={row.original.status} /> },
      {
        id: 'conversions',
        header: () => <span className="block text-right">{t('payouts.conversions')}</span>,
        cell: ({ row }) => <span className="block text-right tabular-nums">{number(row.original.conversions)}</span>,
      },
      {
        id: 'total',
        header: () => <span className="block text-right">{t('payouts.total')}</span>,
        cell: ({ row }) => <Money className="block text-right" amount={row.original.total} currency={row.original.currency} />,
      },
      { id: 'approved', header: t('payoutStatus.approved'), cell: ({ row }) => date(row.original.approved_on) },
      { id: 'paid', header: t('payoutStatus.paid'), cell: ({ row }) => date(row.original.paid_on) },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('common.actions')}</span>,
        cell: ({ row }) => {
          const p = row.original
          if (!writer) return null
          const name = `${programNames.get(p.program_id) ?? ''} ${date(p.from)} – ${date(p.to)}`
          return (
            <div className="flex justify-end">
              {p.status === 'draft' && (
                <Button variant="ghost" size="icon" onClick={() => setActing({ payout: p, action: 'approve' })} aria-label={t('payouts.approveNamed', { name })} title={t('payouts.approve')}>
                  <CheckCircle2 />
                </Button>
              )}
              {p.status === 'approved' && (
                <Button variant="ghost" size="icon" onClick={() => setActing({ payout: p, action: 'pay' })} aria-label={t('payouts.payNamed', { name })} title={t('payouts.pay')}>
                  <CircleDollarSign />
                </Button>
              )}
            </div>
          )
        },
      },
    ],
    [t, date, number, programNames, writer],
  )

  return (
    <>
      <PageHeader
        title={t('nav.trafficPayouts')}
        description={t('payouts.description')}
        actions={
          writer && (
            <Button onClick={() => setDialogOpen(true)}>
              <Plus /> {t('payouts.new')}
            </Button>
          )
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-2">
        <FilterSelect label={t('payouts.program')} allLabel={t('payouts.allPrograms')} value={program} onChange={(v) => setFilter('program_id', v)}>
          <EntityOptions items={programs.data} current={program} />
        </FilterSelect>
        <FilterSelect label={t('common.status')} allLabel={t('payouts.allStatuses')} value={status} onChange={(v) => setFilter('status', v)} className="w-40">
          {PAYOUT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`payoutStatus.${s}`)}
            </option>
          ))}
        </FilterSelect>
      </div>
      <DataTable
        columns={columns}
        data={query.data?.items}
        total={query.data?.total ?? 0}
        pagination={pagination}
        onPaginationChange={setPagination}
        isLoading={query.isFetching}
        error={query.error}
        onRetry={() => void query.refetch()}
        emptyTitle={t('payouts.empty')}
        getRowId={(p) => p.id}
        label={t('nav.trafficPayouts')}
        testId="payouts-table"
      />
      {acting?.action === 'approve' && <ApprovePayoutDialog payout={acting.payout} open onOpenChange={(o) => !o && setActing(null)} />}
      {acting?.action === 'pay' && <PayPayoutDialog payout={acting.payout} open onOpenChange={(o) => !o && setActing(null)} />}
      <NewPayoutDialog open={dialogOpen} onOpenChange={setDialogOpen} programId={program || undefined} />
    </>
  )
}
