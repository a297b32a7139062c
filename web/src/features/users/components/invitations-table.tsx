import type { ColumnDef, PaginationState } from '@tanstack/react-table'
import { useMemo, useState } from 'react'
import toast from 'react-hot-toast'

import { DataTable } from '@/components/data-table'
import { Spinner } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { useI18n } from '@/lib/i18n'

import { messages } from '../i18n'
import { useInvitations, useRevokeInvitation, type Invitation, type InvitationState } from '../invitations'

const STATE_VARIANT: Record<InvitationState, 'default' | 'secondary' | 'outline' | 'destructive'> = {
  pending: 'default',
  accepted: 'secondary',
  expired: 'outline',
  revoked: 'destructive',
}

/** The invitations sent, newest first, with their state; pending ones can be revoked. */
export function InvitationsTable() {
  const { t, date } = useI18n(messages)
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 10 })
  const query = useInvitations({ limit: pagination.pageSize, offset: pagination.pageIndex * pagination.pageSize })
  const [revoking, setRevoking] = useState<Invitation | null>(null)

  const columns = useMemo<ColumnDef<Invitation, unknown>[]>(
    () => [
      { id: 'email', header: t('auth.email'), cell: ({ row }) => <span className="font-medium break-all">{row.original.email}</span> },
      { id: 'role', header: t('users.role'), cell: ({ row }) => t(`role.${row.original.role}`) },
      {
        id: 'state',
        header: t('invite.state'),
        cell: ({ row }) => <Badge variant={STATE_VARIANT[row.original.state]}>{t(`invite.state.${row.original.state}`)}</Badge>,
      },
      { id: 'created', header: t('common.created'), cell: ({ row }) => date(row.original.created_at.slice(0, 10)) },
      { id: 'expires', header: t('invite.expires'), cell: ({ row }) => date(row.original.expires_at.slice(0, 10)) },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('common.actions')}</span>,
        cell: ({ row }) =>
          row.original.state === 'pending' ? (
            <Button variant="outline" size="sm" aria-label={t('invite.revokeNamed', { email: row.original.email })} onClick={() => setRevoking(row.original)}>
              {t('invite.revoke')}
            </Button>
          ) : null,
      },
    ],
    [t, date],
  )

  return (
    <section className="mt-8 grid gap-3" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading" className="text-lg font-semibold">
        {t('invite.listTitle')}
      </h2>
      <DataTable
        columns={columns}
        data={query.data?.items}
        total={query.data?.total ?? 0}
        pagination={pagination}
        onPaginationChange={setPagination}
        isLoading={query.isFetching}
        error={query.error}
        onRetry={() => void query.refetch()}
        emptyTitle={t('invite.empty')}
        getRowId={(i) => i.id}
      />
      <RevokeInvitationDialog invitation={revoking} onClose={() => setRevoking(null)} />
    </section>
  )
}

function RevokeInvitationDialog({ invitation, onClose }: { invitation: Invitation | null; onClose: () => void }) {
  const { t } = useI18n(messages)
  const revoke = useRevokeInvitation()
  return (
    <Dialog open={!!invitation} onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{t('invite.revokeTitle')}</DialogTitle>
          <DialogDescription>{invitation && t('invite.revokeDescription', { email: invitation.email })}</DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <Button variant="outline" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            variant="destructive"
            disabled={revoke.isPending}
            onClick={() =>
              invitation &&
              revoke.mutate(invitation.id, {
                onSuccess: () => {
                  toast.success(t('invite.revoked'))
                  onClose()
                },
              })
            }
          >
            {revoke.isPending && <Spinner />}
            {t('invite.revoke')}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
