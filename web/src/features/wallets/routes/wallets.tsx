import { Link } from 'react-router'

import { ExplorerLink } from '@/components/crypto-details'
import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useAllAccounts } from '@/hooks/use-lookups'
import { useI18n } from '@/lib/i18n'

import { messages } from '../i18n'

/** The crypto wallet accounts; each with a Tron address opens its pending transfers. */
export default function WalletsPage() {
  const { t } = useI18n(messages)
  const accounts = useAllAccounts()
  const wallets = (accounts.data ?? []).filter((a) => a.kind === 'crypto_wallet' && !a.archived)
  return (
    <>
      <PageHeader title={t('nav.wallets')} description={t('wallet.listDescription')} />
      {accounts.error ? (
        <ErrorState error={accounts.error} onRetry={() => void accounts.refetch()} />
      ) : accounts.isPending ? (
        <LoadingState rows={3} />
      ) : wallets.length === 0 ? (
        <EmptyState title={t('wallet.noWallets')}>
          <Link to="/accounts" className="text-primary text-sm underline-offset-4 hover:underline">
            {t('nav.accounts')}
          </Link>
        </EmptyState>
      ) : (
        <Table aria-label={t('nav.wallets')} data-testid="wallets-table">
          <TableHeader>
            <TableRow>
              <TableHead>{t('common.name')}</TableHead>
              <TableHead>{t('wallet.address')}</TableHead>
              <TableHead className="text-right">{t('wallet.balance')}</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {wallets.map((w) => (
              <TableRow key={w.id}>
                <TableCell>
                  <Link to={`/wallets/${w.id}`} className="text-primary font-medium underline-offset-4 hover:underline">
                    {w.name}
                  </Link>
                </TableCell>
                <TableCell>{w.tron_address ? <ExplorerLink kind="address" value={w.tron_address} full /> : <span className="text-muted-foreground">{t('wallet.noAddress')}</span>}</TableCell>
                <TableCell className="text-right">
                  <Money amount={w.balance ?? '0'} currency={w.currency} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  )
}
