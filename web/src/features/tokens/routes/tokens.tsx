import type { ColumnDef, PaginationState } from '@tanstack/react-table'
import { KeyRound } from 'lucide-react'
import { useMemo, useState } from 'react'
import toast from 'react-hot-toast'

import { DataTable } from '@/components/data-table'
import { PageHeader } from '@/components/page-header'
import { Spinner } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { useI18n } from '@/lib/i18n'

import { useApiTokens, useRevokeApiToken, type ApiToken } from '../api'
import { CreateTokenDialog } from '../components/create-token-dialog'
import { messages } from '../i18n'

/** Personal API tokens: scripts and trackers sign in with these instead of a password. */
export default function ApiTokensPage() {
  const { t, date } = useI18n(messages)
  const query = useApiTokens()
  const [creating, setCreating] = useState(false)
  const [revoking, setRevoking] = useState<ApiToken | null>(null)
  // The server answers every token at once; the table pages them here.
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 25 })

  const columns = useMemo<ColumnDef<ApiToken, unknown>[]>(
    () => [
      { id: 'name', header: t('common.name'), cell: ({ row }) => <span className="font-medium break-all">{row.original.name}</span> },
      {
        id: 'scopes',
        header: t('tokens.scopes'),
        cell: ({ row }) => (
          <div className="flex flex-wrap gap-1">
            {row.original.scopes.map((s) => (
              <Badge key={s} variant="secondary" className="font-mono">
                {s}
              </Badge>
            ))}
          </div>
        ),
      },
      { id: 'created', header: t('common.created'), cell: ({ row }) => date(row.original.created_at.slice(0, 10)) },
      { id: 'expires', header: t('tokens.expires'), cell: ({ row }) => (row.original.expires_at ? date(row.original.expires_at.slice(0, 10)) : t('tokens.never')) },
      { id: 'used', header: t('tokens.lastUsed'), cell: ({ row }) => (row.original.last_used_at ? date(row.original.last_used_at.slice(0, 10)) : t('tokens.notUsed')) },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('common.actions')}</span>,
        cell: ({ row }) => (
          <Button variant="outline" size="sm" aria-label={t('tokens.revokeNamed', { name: row.original.name })} onClick={() => setRevoking(row.original)}>
            {t('tokens.revoke')}
          </Button>
        ),
      },
    ],
    [t, date],
  )

  const items = query.data?.items
  return (
    <>
      <PageHeader
        title={t('tokens.title')}
        description={t('tokens.description')}
        actions={
          <Button onClick={() => setCreating(true)}>
            <KeyRound /> {t('tokens.create')}
          </Button>
        }
      />
      <DataTable
        columns={columns}
        data={items?.slice(pagination.pageIndex * pagination.pageSize, (pagination.pageIndex + 1) * pagination.pageSize)}
        total={items?.length ?? 0}
        pagination={pagination}
        onPaginationChange={setPagination}
        isLoading={query.isFetching}
        error={query.error}
        onRetry={() => void query.refetch()}
        emptyTitle={t('tokens.empty')}
        getRowId={(x) => x.id}
      />
      <CreateTokenDialog open={creating} onClose={() => setCreating(false)} />
      <RevokeTokenDialog token={revoking} onClose={() => setRevoking(null)} />
    </>
  )
}

function RevokeTokenDialog({ token, onClose }: { token: ApiToken | null; onClose: () => void }) {
  const { t } = useI18n(messages)
  const revoke = useRevokeApiToken()
  return (
    <Dialog open={!!token} onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{t('tokens.revokeTitle')}</DialogTitle>
          <DialogDescription>{token && t('tokens.revokeDescription', { name: token.name })}</DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <Button variant="outline" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            variant="destructive"
            disabled={revoke.isPending}
            onClick={() =>
              token &&
              revoke.mutate(token.id, {
                onSuccess: () => {
                  toast.success(t('tokens.revoked'))
                  onClose()
                },
              })
            }
          >
            {revoke.isPending && <Spinner />}
            {t('tokens.revoke')}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
