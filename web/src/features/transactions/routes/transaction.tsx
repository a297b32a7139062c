import { ArrowLeft, ShieldCheck } from 'lucide-react'
import { useMemo, type ReactNode } from 'react'
import toast from 'react-hot-toast'
import { Link, useParams } from 'react-router'

import { CryptoDetailsView } from '@/components/crypto-details'
import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState, Spinner } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useAllAccounts, useAllCategories, useAllCounterparties, useAllProjects } from '@/hooks/use-lookups'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { useTransaction, useVerifyCrypto, type Transaction } from '../api'
import { messages } from '../i18n'
import { originHref } from '../lib/meta'

export default function TransactionPage() {
  const { id = '' } = useParams()
  const { t } = useI18n(messages)
  const q = useTransaction(id)
  return (
    <>
      <Link to="/transactions" className="text-muted-foreground hover:text-foreground mb-3 inline-flex items-center gap-1 text-sm">
        <ArrowLeft className="size-4" aria-hidden /> {t('tx.back')}
      </Link>
      {q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.isPending ? <LoadingState /> : <Detail tx={q.data} />}
    </>
  )
}

const names = (items: { id: string; name: string }[] | undefined) => new Map((items ?? []).map((x) => [x.id, x.name]))

function Detail({ tx }: { tx: Transaction }) {
  const { t, date } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const verify = useVerifyCrypto()
  const accounts = useAllAccounts()
  const projects = useAllProjects()
  const categories = useAllCategories()
  const counterparties = useAllCounterparties()
  const n = useMemo(
    () => ({ account: names(accounts.data), project: names(projects.data), category: names(categories.data), counterparty: names(counterparties.data) }),
    [accounts.data, projects.data, categories.data, counterparties.data],
  )
  const origin = tx.origin ? originHref(tx.origin.kind, tx.origin.id) : null
  const related: [string, string | null | undefined][] = [
    [t('tx.reversedBy'), tx.reversed_by],
    [t('tx.reverses'), tx.reverses],
    [t('tx.replacedBy'), tx.replaced_by],
    [t('tx.replaces'), tx.replaces],
  ]

  return (
    <>
      <PageHeader
        title={tx.description}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <span className="tabular-nums">{date(tx.date)}</span>
            <Badge variant="outline">{t(`txKind.${tx.kind}`)}</Badge>
            {tx.tags.map((tag) => (
              <Badge key={tag} variant="secondary">
                {tag}
              </Badge>
            ))}
          </span>
        }
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>{t('tx.entries')}</CardTitle>
          </CardHeader>
          <CardContent>
            <Table aria-label={t('tx.entries')} data-testid="tx-entries">
              <TableHeader>
                <TableRow>
                  <TableHead>{t('tx.account')}</TableHead>
                  <TableHead className="text-right">{t('common.amount')}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {tx.entries.map((e, i) => (
                  <TableRow key={i}>
                    <TableCell>
                      {n.account.get(e.account_id) ?? '…'}
                      {e.memo && <span className="text-muted-foreground ml-2 text-xs">{e.memo}</span>}
                    </TableCell>
                    <TableCell className="text-right">
                      <Money amount={e.amount} currency={e.currency} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <dl className="mt-4 grid gap-1 text-sm">
              {tx.project_id && <Row label={t('tx.project')}>{n.project.get(tx.project_id) ?? '…'}</Row>}
              {tx.category_id && <Row label={t('tx.category')}>{n.category.get(tx.category_id) ?? '…'}</Row>}
              {tx.counterparty_id && <Row label={t('tx.counterparty')}>{n.counterparty.get(tx.counterparty_id) ?? '…'}</Row>}
              {tx.origin && (
                <Row label={t('tx.origin')}>
                  {origin ? (
                    <Link to={origin} className="text-primary underline-offset-4 hover:underline" data-testid="tx-origin">
                      {t(`originKind.${tx.origin.kind}`)}
                    </Link>
                  ) : (
                    t(`originKind.${tx.origin.kind}`)
                  )}
                </Row>
              )}
              {related.map(([label, id]) =>
                id ? (
                  <Row key={label} label={label}>
                    <Link to={`/transactions/${id}`} className="text-primary underline-offset-4 hover:underline">
                      {t('tx.open')}
                    </Link>
                  </Row>
                ) : null,
              )}
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader className="flex flex-row items-center justify-between gap-2">
            <CardTitle>{t('crypto.title')}</CardTitle>
            {tx.crypto && writer && (
              <Button
                variant="outline"
                size="sm"
                disabled={verify.isPending}
                onClick={() =>
                  verify.mutate(tx.id, {
                    onSuccess: (r) => {
                      const s = r.verification.result.status
                      if (s === 'verified') toast.success(t('crypto.verified'))
                      else toast.error(t(s === 'mismatch' ? 'crypto.mismatch' : 'crypto.notFound'))
                    },
                  })
                }
              >
                {verify.isPending ? <Spinner /> : <ShieldCheck />} {t('crypto.verify')}
              </Button>
            )}
          </CardHeader>
          <CardContent>
            {tx.crypto ? <CryptoDetailsView crypto={tx.crypto} verification={tx.crypto_verification} /> : <p className="text-muted-foreground text-sm">{t('crypto.none')}</p>}
          </CardContent>
        </Card>
      </div>
    </>
  )
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[9rem_1fr] gap-2">
      <dt className="text-muted-foreground">{label}</dt>
      <dd>{children}</dd>
    </div>
  )
}
