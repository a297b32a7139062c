import type { ColumnDef, PaginationState } from '@tanstack/react-table'
import { UserPlus } from 'lucide-react'
import { useMemo, useState } from 'react'
import toast from 'react-hot-toast'

import { DataTable } from '@/components/data-table'
import { ListToolbar } from '@/components/list-toolbar'
import { PageHeader } from '@/components/page-header'
import { ErrorState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { NativeSelect } from '@/components/ui/native-select'
import { useDebounced } from '@/hooks/use-debounced'
import { can, isPending, useSession } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { ROLES, useUpdateUser, useUsers, type Role, type UserDetail } from '../api'
import { DisableUserDialog } from '../components/disable-dialog'
import { InvitationsTable } from '../components/invitations-table'
import { InviteDialog } from '../components/invite-dialog'
import { messages } from '../i18n'

export default function UsersPage() {
  const { t, date } = useI18n(messages)
  const { user: me } = useSession()
  const [q, setQ] = useState('')
  const [role, setRole] = useState<Role | ''>('')
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: 25 })
  const dq = useDebounced(q.trim())
  const query = useUsers({ q: dq || undefined, role: role || undefined, limit: pagination.pageSize, offset: pagination.pageIndex * pagination.pageSize })
  const update = useUpdateUser()
  const [disabling, setDisabling] = useState<UserDetail | null>(null)
  const [inviting, setInviting] = useState(false)

  const columns = useMemo<ColumnDef<UserDetail, unknown>[]>(
    () => [
      {
        id: 'email',
        header: t('auth.email'),
        cell: ({ row }) => (
          <div className="flex items-center gap-2">
            <span className="font-medium">{row.original.email}</span>
            {!row.original.email_confirmed && <Badge variant="outline">{t('users.unconfirmed')}</Badge>}
            {row.original.disabled && <Badge variant="destructive">{t('users.disabled')}</Badge>}
          </div>
        ),
      },
      { id: 'name', header: t('common.name'), cell: ({ row }) => row.original.name ?? '' },
      {
        id: 'role',
        header: t('users.role'),
        cell: ({ row }) => (
          <NativeSelect
            className="w-40"
            aria-label={t('users.roleOf', { email: row.original.email })}
            value={row.original.role}
            disabled={row.original.id === me?.id || update.isPending}
            onChange={(e) =>
              update.mutate({ id: row.original.id, body: { role: e.target.value as Role } }, { onSuccess: () => toast.success(t('users.roleChanged')) })
            }
          >
            {isPending(row.original) && (
              // Signed up under open registration: no role until one is chosen here.
              <option value={row.original.role} disabled>
                {t('role.pending')}
              </option>
            )}
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </NativeSelect>
        ),
      },
      { id: 'created', header: t('common.created'), cell: ({ row }) => date(row.original.created_at.slice(0, 10)) },
      {
        id: 'actions',
        header: () => <span className="sr-only">{t('common.actions')}</span>,
        cell: ({ row }) =>
          row.original.id === me?.id ? null : (
            <Button
              variant={row.original.disabled ? 'outline' : 'destructive'}
              size="sm"
              disabled={update.isPending}
              aria-label={t(row.original.disabled ? 'users.enableNamed' : 'users.disableNamed', { email: row.original.email })}
              onClick={() =>
                // Disabling ends the user's sessions: ask first. Enabling is harmless.
                row.original.disabled
                  ? update.mutate({ id: row.original.id, body: { disabled: false } }, { onSuccess: () => toast.success(t('users.enabledDone')) })
                  : setDisabling(row.original)
              }
            >
              {row.original.disabled ? t('users.enable') : t('users.disable')}
            </Button>
          ),
      },
    ],
    [t, date, me, update],
  )

  if (!can.manageUsers(me?.role)) return <ErrorState error={new Error(t('common.forbidden'))} />

  return (
    <>
      <PageHeader
        title={t('nav.users')}
        description={t('users.description')}
        actions={
          <Button onClick={() => setInviting(true)}>
            <UserPlus /> {t('invite.button')}
          </Button>
        }
      />
      <ListToolbar q={q} onQ={(v) => { setQ(v); setPagination((p) => ({ ...p, pageIndex: 0 })) }}>
        <NativeSelect className="w-40" value={role} aria-label={t('users.role')} onChange={(e) => { setRole(e.target.value as Role | ''); setPagination((p) => ({ ...p, pageIndex: 0 })) }}>
          <option value="">{t('users.allRoles')}</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </NativeSelect>
      </ListToolbar>
      <DataTable
        columns={columns}
        data={query.data?.items}
        total={query.data?.total ?? 0}
        pagination={pagination}
        onPaginationChange={setPagination}
        isLoading={query.isFetching}
        error={query.error}
        onRetry={() => void query.refetch()}
        emptyTitle={t('users.empty')}
        getRowId={(u) => u.id}
      />
      <DisableUserDialog user={disabling} onClose={() => setDisabling(null)} />
      <InvitationsTable />
      <InviteDialog open={inviting} onClose={() => setInviting(false)} />
    </>
  )
}
