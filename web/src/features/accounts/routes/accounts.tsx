import type { ColumnDef } from '@tanstack/react-table'
import { useMemo, useState } from 'react'
import { Link } from 'react-router'

import { sortParam } from '@/components/data-table'
import { EntityListPage } from '@/components/entity-list-page'
import { Money } from '@/components/money'
import { Badge } from '@/components/ui/badge'
import { NativeSelect } from '@/components/ui/native-select'
import { useEntityList } from '@/hooks/use-entity-list'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'

import { ACCOUNT_KINDS, ACCOUNT_TYPES, useAccounts, useArchiveAccount, type Account, type AccountKind, type AccountType } from '../api'
import { AccountDialog } from '../components/account-dialog'
import { messages } from '../i18n'

export default function AccountsPage() {
  const { t } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const { list, editing, dialogOpen, setDialogOpen, openNew, actionColumns } = useEntityList<Account>({ archive: useArchiveAccount(), writer })
  const [type, setType] = useState<AccountType | ''>('')
  const [kind, setKind] = useState<AccountKind | ''>('')
  const [currency, setCurrency] = useState('')
  const query = useAccounts({
    ...list.params,
    sort: sortParam(list.sorting),
    type: type || undefined,
    kind: kind || undefined,
    currency: currency || undefined,
  })

  const columns = useMemo<ColumnDef<Account, unknown>[]>(
    () => [
      {
        id: 'name',
        header: t('common.name'),
        cell: ({ row }) => (
          <div className="flex items-center gap-2">
            <span className="font-medium" data-testid="account-name">{row.original.name}</span>
            {row.original.code && <span className="text-muted-foreground text-xs">{row.original.code}</span>}
            {row.original.archived && <Badge variant="outline">{t('common.archived')}</Badge>}
            {row.original.kind === 'crypto_wallet' && row.original.tron_address && (
              // The wallet screen belongs to another feature: linked by URL only.
              <Link to={`/wallets/${row.original.id}`} className="text-primary text-xs underline-offset-4 hover:underline" data-testid="wallet-link">
                {t('nav.wallets')}
              </Link>
            )}
          </div>
        ),
      },
      { id: 'type', header: t('accounts.type'), enableSorting: false, cell: ({ row }) => t(`accountType.${row.original.type}`) },
      { id: 'kind', header: t('accounts.kind'), enableSorting: false, cell: ({ row }) => t(`accountKind.${row.original.kind}`) },
      { id: 'currency', header: t('common.currency'), enableSorting: false, cell: ({ row }) => row.original.currency },
      {
        id: 'balance',
        header: t('common.balance'),
        enableSorting: false,
        meta: { className: 'text-right' },
        cell: ({ row }) => <Money amount={row.original.balance ?? '0'} currency={row.original.currency} />,
      },
      { id: 'created_at', header: t('common.created'), cell: ({ row }) => <DateCell iso={row.original.created_at} /> },
      ...actionColumns,
    ],
    [t, actionColumns],
  )

  return (
    <EntityListPage
      title={t('nav.accounts')}
      description={t('accounts.description')}
      newLabel={t('accounts.new')}
      writer={writer}
      onNew={openNew}
      list={list}
      filters={
        <>
          <NativeSelect className="w-40" value={type} aria-label={t('accounts.type')} onChange={(e) => { setType(e.target.value as AccountType | ''); list.resetPage() }}>
            <option value="">{t('accounts.allTypes')}</option>
            {ACCOUNT_TYPES.map((x) => (
              <option key={x} value={x}>
                {t(`accountType.${x}`)}
              </option>
            ))}
          </NativeSelect>
          <NativeSelect className="w-40" value={kind} aria-label={t('accounts.kind')} onChange={(e) => { setKind(e.target.value as AccountKind | ''); list.resetPage() }}>
            <option value="">{t('accounts.allKinds')}</option>
            {ACCOUNT_KINDS.map((x) => (
              <option key={x} value={x}>
                {t(`accountKind.${x}`)}
              </option>
            ))}
          </NativeSelect>
          <NativeSelect className="w-36" value={currency} aria-label={t('common.currency')} onChange={(e) => { setCurrency(e.target.value); list.resetPage() }}>
            <option value="">{t('common.allCurrencies')}</option>
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </NativeSelect>
        </>
      }
      columns={columns}
      query={query}
      emptyTitle={t('accounts.empty')}
      dialog={<AccountDialog open={dialogOpen} onOpenChange={setDialogOpen} account={editing} />}
    />
  )
}

function DateCell({ iso }: { iso: string }) {
  const { date } = useI18n(messages)
  return <span className="text-muted-foreground">{date(iso.slice(0, 10))}</span>
}
