import type { ColumnDef, PaginationState } from '@tanstack/react-table'
import { ArrowDownLeft, ArrowLeft, ArrowUpRight, Ban, BookPlus, RefreshCw, Repeat } from 'lucide-react'
import { useMemo, useState } from 'react'
import toast from 'react-hot-toast'
import { Link, useParams } from 'react-router'

import { ExplorerLink } from '@/components/crypto-details'
import { DataTable } from '@/components/data-table'
import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState, Spinner } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { NativeSelect } from '@/components/ui/native-select'
import { useAllAccounts, type Account } from '@/hooks/use-lookups'
import { useSearchParam } from '@/hooks/use-search-param'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { DIRECTIONS, PENDING_STATUSES, useDismissPending, usePending, useSyncWallet, type Pending } from '../api'
import { PostPendingDialog } from '../components/post-pending-dialog'
import { messages } from '../i18n'

export default function WalletPage() {
  const { id = '' } = useParams()
  const { t } = useI18n(messages)
  const accounts = useAllAccounts()
  const account = accounts.data?.find((a) => a.id === id)
  return (
    <>
      <Link to="/wallets" className="text-muted-foreground hover:text-foreground mb-3 inline-flex items-center gap-1 text-sm">
        <ArrowLeft className="size-4" aria-hidden /> {t('wallet.back')}
      </Link>
      {accounts.error ? (
        <ErrorState error={accounts.error} onRetry={() => void accounts.refetch()} />
      ) : accounts.isPending ? (
        <LoadingState />
      ) : !account ? (
        <EmptyState title={t('wallet.notFound')} />
      ) : account.kind !== 'crypto_wallet' || !account.tron_address ? (
        <EmptyState title={t('wallet.notTron', { name: account.name })} />
      ) : (
        <Wallet account={account} address={account.tron_address} />
      )}
    </>
  )
}

const DIRECTION_ICON = { in: ArrowDownLeft, out: ArrowUpRight, self_transfer: Repeat } as const

function Wallet({ account, address }: { account: Account; address: string }) {
  const { t, dateTime, number } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const [params, setParam] = useSearchParam()
  const status = params.get('status') ?? 'pending'
  const direction = params.get('direction') ?? ''
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 50 })
  const [posting, setPosting] = useState<Pending | null>(null)
  const sync = useSyncWallet()
  const dismiss = useDismissPending()
  const query = usePending(account.id, {
    status,
    direction: direction || undefined,
    sort: '-time',
    limit: pagination.pageSize,
    offset: pagination.pageIndex * pagination.pageSize,
  })
  const setFilter = (key: string, value: string) => {
    setParam(key, value)
    setPagination((p) => ({ ...p, pageIndex: 0 }))
  }

  const columns = useMemo<ColumnDef<Pending, unknown>[]>(
    () => [
      { id: 'time', header: t('wallet.time'), cell: ({ row }) => <span className="tabular-nums">{dateTime(row.original.time)}</span> },
      {
        id: 'direction',
        header: t('wallet.direction'),
        cell: ({ row }) => {
          const d = row.original.direction as keyof typeof DIRECTION_ICON
          const Icon = DIRECTION_ICON[d] ?? Repeat
          return (
            <span className="inline-flex items-center gap-1">
              <Icon className="size-4" aria-hidden /> {t(`direction.${d in DIRECTION_ICON ? d : 'self_transfer'}`)}
            </span>
          )
        },
      },
      {
        id: 'amount',
        header: () => <span className="block text-right">{t('common.amount')}</span>,
        cell: ({ row }) => <Money className="block text-right" amount={row.original.direction === 'out' ? `-${row.original.amount}` : row.original.amount} currency={row.original.token} />,
      },
      {
        id: 'counterparty',
        header: t('wallet.counterpartyAddress'),
        cell: ({ row }) => {
          const p = row.original
          const other = p.direction === 'in' ? p.from : p.to
          return <ExplorerLink kind="address" value={other} />
        },
      },
      { id: 'hash', header: t('crypto.txHash'), cell: ({ row }) => <ExplorerLink kind="tx" value={row.original.tx_hash} /> },
      {
        id: 'status',
        header: t('common.status'),
        cell: ({ row }) => {
          const p = row.original
          if (p.status === 'posted' && p.transaction_id)
            return (
              <Link to={`/transactions/${p.transaction_id}`} className="underline-offset-4 hover:underline">
                <Badge>{t('pendingStatus.posted')}</Badge>
              </Link>
            )
          return <Badge variant={p.status === 'dismissed' ? 'outline' : 'secondary'}>{t(`pendingStatus.${p.status === 'dismissed' ? 'dismissed' : 'pending'}`)}</Badge>
        },
      },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('common.actions')}</span>,
        cell: ({ row }) => {
          const p = row.original
          if (!writer || p.status !== 'pending') return null
          return (
            <div className="flex justify-end gap-1">
              <Button size="sm" onClick={() => setPosting(p)} aria-label={t('wallet.postNamed', { hash: p.tx_hash.slice(0, 8) })}>
                <BookPlus /> {t('wallet.post')}
              </Button>
              <Button
                size="icon"
                variant="ghost"
                disabled={dismiss.isPending}
                title={t('wallet.dismiss')}
                aria-label={t('wallet.dismissNamed', { hash: p.tx_hash.slice(0, 8) })}
                onClick={() => {
                  if (window.confirm(t('wallet.dismissConfirm'))) dismiss.mutate({ accountId: account.id, hash: p.tx_hash }, { onSuccess: () => toast.success(t('wallet.dismissed')) })
                }}
              >
                <Ban />
              </Button>
            </div>
          )
        },
      },
    ],
    [t, dateTime, writer, dismiss, account.id],
  )

  return (
    <>
      <PageHeader
        title={account.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            {t('wallet.address')}: <ExplorerLink kind="address" value={address} full testId="wallet-address" />
          </span>
        }
        actions={
          writer && (
            <Button
              disabled={sync.isPending}
              onClick={() => sync.mutate(account.id, { onSuccess: (r) => toast.success(t('wallet.synced', { found: number(r.found) })) })}
            >
              {sync.isPending ? <Spinner /> : <RefreshCw />} {t('wallet.sync')}
            </Button>
          )
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-2">
        <NativeSelect className="w-40" aria-label={t('common.status')} value={status} onChange={(e) => setFilter('status', e.target.value === 'pending' ? '' : e.target.value)}>
          {PENDING_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`pendingStatus.${s}`)}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect className="w-44" aria-label={t('wallet.direction')} value={direction} onChange={(e) => setFilter('direction', e.target.value)}>
          <option value="">{t('wallet.allDirections')}</option>
          {DIRECTIONS.map((d) => (
            <option key={d} value={d}>
              {t(`direction.${d}`)}
            </option>
          ))}
        </NativeSelect>
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
        emptyTitle={status === 'pending' ? t('wallet.emptyPending') : t('wallet.empty')}
        getRowId={(p) => p.tx_hash}
        label={t('wallet.pending')}
        testId="pending-table"
      />
      <PostPendingDialog accountId={account.id} item={posting} onClose={() => setPosting(null)} />
    </>
  )
}
