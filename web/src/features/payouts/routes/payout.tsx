import { ArrowLeft, Ban, CheckCircle2, CircleDollarSign, ExternalLink } from 'lucide-react'
import { useMemo, useState, type ReactNode } from 'react'
import toast from 'react-hot-toast'
import { Link, useParams } from 'react-router'

import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState, Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useAllAccounts, useAllCategories, useAllProjects } from '@/hooks/use-lookups'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { useAllTraffic } from '@/lib/traffic/entities'

import { useCancelPayout, usePayout, usePayoutPostings, type Payout } from '../api'
import { ApprovePayoutDialog, PayPayoutDialog } from '../components/payout-dialogs'
import { PayoutStatusBadge } from '../components/payout-status-badge'
import { messages } from '../i18n'

const names = (items: { id: string; name: string }[] | undefined) => new Map((items ?? []).map((x) => [x.id, x.name]))

export default function PayoutPage() {
  const { id = '' } = useParams()
  const { t } = useI18n(messages)
  const q = usePayout(id)
  return (
    <>
      <Link to="/traffic/payouts" className="text-muted-foreground hover:text-foreground mb-3 inline-flex items-center gap-1 text-sm">
        <ArrowLeft className="size-4" aria-hidden /> {t('payouts.back')}
      </Link>
      {q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.isPending ? <LoadingState /> : <PayoutDetail payout={q.data} />}
    </>
  )
}

function PayoutDetail({ payout }: { payout: Payout }) {
  const { t, date, number } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const [dialog, setDialog] = useState<'approve' | 'pay' | null>(null)
  const cancel = useCancelPayout()
  const programs = useAllTraffic('programs')
  const campaigns = useAllTraffic('campaigns')
  const offers = useAllTraffic('offers')
  const projects = useAllProjects()
  const accounts = useAllAccounts()
  const categories = useAllCategories()
  const n = useMemo(
    () => ({
      program: names(programs.data),
      campaign: names(campaigns.data),
      offer: names(offers.data),
      project: names(projects.data),
      account: names(accounts.data),
      category: names(categories.data),
    }),
    [programs.data, campaigns.data, offers.data, projects.data, accounts.data, categories.data],
  )
  const period = `${date(payout.from)} – ${date(payout.to)}`
  const paidAccount = accounts.data?.find((a) => a.id === payout.paid_account_id)

  return (
    <>
      <PageHeader
        title={t('payouts.detailTitle', { program: n.program.get(payout.program_id) ?? '…', period })}
        description={
          <span className="inline-flex items-center gap-2">
            <PayoutStatusBadge status={payout.status} />
            <span>
              {t('payouts.total')}: <span data-testid="payout-total"><Money amount={payout.total} currency={payout.currency} className="text-foreground font-medium" /></span> ·{' '}
              {t('payouts.conversions')}: {number(payout.conversions)}
            </span>
          </span>
        }
        actions={
          writer && (
            <>
              {payout.status === 'draft' && (
                <>
                  <Button onClick={() => setDialog('approve')}>
                    <CheckCircle2 /> {t('payouts.approve')}
                  </Button>
                  <Button
                    variant="outline"
                    disabled={cancel.isPending}
                    onClick={() => {
                      if (window.confirm(t('payouts.cancelConfirm'))) cancel.mutate(payout.id, { onSuccess: () => toast.success(t('payouts.cancelledDone')) })
                    }}
                  >
                    {cancel.isPending ? <Spinner /> : <Ban />} {t('payouts.cancel')}
                  </Button>
                </>
              )}
              {payout.status === 'approved' && (
                <Button onClick={() => setDialog('pay')}>
                  <CircleDollarSign /> {t('payouts.pay')}
                </Button>
              )}
            </>
          )
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>{t('payouts.lines')}</CardTitle>
          </CardHeader>
          <CardContent>
            {payout.lines.length === 0 ? (
              <EmptyState title={t('payouts.noLines')} />
            ) : (
              <Table aria-label={t('payouts.lines')} data-testid="payout-lines">
                <TableHeader>
                  <TableRow>
                    <TableHead>{t('payouts.campaign')}</TableHead>
                    <TableHead>{t('payouts.offer')}</TableHead>
                    <TableHead>{t('payouts.project')}</TableHead>
                    <TableHead className="text-right">{t('payouts.conversions')}</TableHead>
                    <TableHead className="text-right">{t('common.amount')}</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {payout.lines.map((l) => (
                    <TableRow key={`${l.campaign_id}-${l.offer_id}`}>
                      <TableCell>{n.campaign.get(l.campaign_id) ?? '…'}</TableCell>
                      <TableCell>{n.offer.get(l.offer_id) ?? '…'}</TableCell>
                      <TableCell>{l.project_id ? (n.project.get(l.project_id) ?? '…') : <span className="text-muted-foreground">{t('payouts.noProject')}</span>}</TableCell>
                      <TableCell className="text-right tabular-nums">{number(l.conversions)}</TableCell>
                      <TableCell className="text-right">
                        <Money amount={l.amount} currency={payout.currency} />
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
                <TableFooter>
                  <TableRow>
                    <TableCell colSpan={3}>{t('payouts.total')}</TableCell>
                    <TableCell className="text-right tabular-nums">{number(payout.conversions)}</TableCell>
                    <TableCell className="text-right">
                      <Money amount={payout.total} currency={payout.currency} />
                    </TableCell>
                  </TableRow>
                </TableFooter>
              </Table>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{t('payouts.timeline')}</CardTitle>
          </CardHeader>
          <CardContent>
            <ol className="relative grid gap-4 border-l pl-4" data-testid="payout-timeline">
              <Step done label={t('payouts.timelineCreated')} when={date(payout.created_at.slice(0, 10))} />
              {payout.status === 'cancelled' ? (
                <Step done label={t('payoutStatus.cancelled')} when={date(payout.updated_at.slice(0, 10))} />
              ) : (
                <>
                  <Step done={!!payout.approved_on} label={t('payoutStatus.approved')} when={date(payout.approved_on)}>
                    {payout.receivable_account_id && (
                      <Detail label={t('payouts.receivable')} value={n.account.get(payout.receivable_account_id)} />
                    )}
                    {payout.revenue_account_id && <Detail label={t('payouts.revenue')} value={n.account.get(payout.revenue_account_id)} />}
                    {payout.category_id && <Detail label={t('payouts.category')} value={n.category.get(payout.category_id)} />}
                  </Step>
                  <Step done={!!payout.paid_on} label={t('payoutStatus.paid')} when={date(payout.paid_on)}>
                    {payout.paid_account_id && <Detail label={t('payouts.payAccount')} value={n.account.get(payout.paid_account_id)} />}
                    {payout.paid_amount && (
                      <Detail label={t('payouts.amountReceived')} value={<Money amount={payout.paid_amount} currency={paidAccount?.currency ?? payout.currency} />} />
                    )}
                    {payout.tx_hash && <Detail label={t('payouts.txHash')} value={<span className="font-mono text-xs break-all">{payout.tx_hash}</span>} />}
                  </Step>
                </>
              )}
            </ol>
          </CardContent>
        </Card>
      </div>
      <Postings payout={payout} accountNames={n.account} />
      {dialog === 'approve' && <ApprovePayoutDialog payout={payout} open onOpenChange={(o) => !o && setDialog(null)} />}
      {dialog === 'pay' && <PayPayoutDialog payout={payout} open onOpenChange={(o) => !o && setDialog(null)} />}
    </>
  )
}

function Step({ done, label, when, children }: { done: boolean; label: string; when: string; children?: ReactNode }) {
  return (
    <li className="relative" data-done={done || undefined}>
      <span className={`absolute top-1 -left-[1.4rem] size-2.5 rounded-full border-2 ${done ? 'border-primary bg-primary' : 'border-muted-foreground bg-background'}`} aria-hidden />
      <div className={done ? 'font-medium' : 'text-muted-foreground'}>
        {label}
        {when && <span className="text-muted-foreground ml-2 text-sm font-normal">{when}</span>}
      </div>
      {children && <dl className="mt-1 grid gap-0.5 text-sm">{children}</dl>}
    </li>
  )
}

function Detail({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="flex flex-wrap gap-x-2">
      <dt className="text-muted-foreground">{label}:</dt>
      <dd>{value ?? '…'}</dd>
    </div>
  )
}

function Postings({ payout, accountNames }: { payout: Payout; accountNames: Map<string, string> }) {
  const { t, date } = useI18n(messages)
  const q = usePayoutPostings(payout.id)
  const link = `/transactions?origin_id=${payout.id}`
  return (
    <Card className="mt-6">
      <CardHeader className="flex flex-row items-center justify-between gap-2">
        <CardTitle>{t('payouts.postings')}</CardTitle>
        {q.data && q.data.items.length > 0 && (
          <Button asChild variant="outline" size="sm">
            <Link to={link}>
              <ExternalLink /> {t('payouts.viewInTransactions')}
            </Link>
          </Button>
        )}
      </CardHeader>
      <CardContent>
        {q.error ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : q.isPending ? (
          <LoadingState rows={2} />
        ) : q.data.items.length === 0 ? (
          <EmptyState title={t('payouts.noPostings')} />
        ) : (
          <Table aria-label={t('payouts.postings')} data-testid="payout-postings">
            <TableHeader>
              <TableRow>
                <TableHead>{t('common.date')}</TableHead>
                <TableHead>{t('common.description')}</TableHead>
                <TableHead>{t('tx.account')}</TableHead>
                <TableHead className="text-right">{t('common.amount')}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {q.data.items.map((tx) =>
                tx.entries.map((e, i) => (
                  <TableRow key={`${tx.id}-${i}`} data-testid={i === 0 ? 'posting-row' : undefined}>
                    {i === 0 && (
                      <>
                        <TableCell rowSpan={tx.entries.length} className="align-top tabular-nums">
                          {date(tx.date)}
                        </TableCell>
                        <TableCell rowSpan={tx.entries.length} className="align-top">
                          <Link to={link} className="text-primary underline-offset-4 hover:underline">
                            {tx.description}
                          </Link>
                        </TableCell>
                      </>
                    )}
                    <TableCell>{accountNames.get(e.account_id) ?? '…'}</TableCell>
                    <TableCell className="text-right">
                      <Money amount={e.amount} currency={e.currency} />
                    </TableCell>
                  </TableRow>
                )),
              )}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  )
}
