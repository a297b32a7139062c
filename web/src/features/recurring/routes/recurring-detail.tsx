import { ArrowLeft, CircleStop, Pause, Pencil, Play } from 'lucide-react'
import { useMemo, useState, type ReactNode } from 'react'
import toast from 'react-hot-toast'
import { Link, useParams } from 'react-router'

import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState, Spinner } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useAllAccounts, useAllCategories, useAllCounterparties, useAllProjects } from '@/hooks/use-lookups'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { useRecurring, useRecurringAction, type LifecycleAction, type Recurring } from '../api'
import { RecurringDialog } from '../components/recurring-dialog'
import { RecurringStatusBadge, ScheduleText } from '../components/recurring-parts'
import { RunNowButton } from '../components/run-now-button'
import { messages } from '../i18n'

/** How many coming days the detail lists. */
const NEXT_SHOWN = 5

export default function RecurringDetailPage() {
  const { id = '' } = useParams()
  const { t } = useI18n(messages)
  const q = useRecurring(id)
  return (
    <>
      <Link to="/recurring" className="text-muted-foreground hover:text-foreground mb-3 inline-flex items-center gap-1 text-sm">
        <ArrowLeft className="size-4" aria-hidden /> {t('recurring.back')}
      </Link>
      {q.error ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.isPending ? <LoadingState /> : <Detail rec={q.data} />}
    </>
  )
}

const names = (items: { id: string; name: string }[] | undefined) => new Map((items ?? []).map((x) => [x.id, x.name]))

function Detail({ rec }: { rec: Recurring }) {
  const { t, date } = useI18n(messages)
  const role = useRole()
  const writer = can.writeBooks(role)
  const [editing, setEditing] = useState(false)
  const action = useRecurringAction()
  const accounts = useAllAccounts()
  const projects = useAllProjects()
  const categories = useAllCategories()
  const counterparties = useAllCounterparties()
  const n = useMemo(
    () => ({ account: names(accounts.data), project: names(projects.data), category: names(categories.data), counterparty: names(counterparties.data) }),
    [accounts.data, projects.data, categories.data, counterparties.data],
  )
  const currencyOf = (id: string) => accounts.data?.find((a) => a.id === id)?.currency ?? ''
  const act = (a: LifecycleAction) => {
    if (a === 'end' && !window.confirm(t('recurring.endConfirm'))) return
    action.mutate({ id: rec.id, action: a }, { onSuccess: () => toast.success(t(`recurring.done.${a}`)) })
  }
  const occurrences = rec.occurrences ?? []
  const tpl = rec.template

  return (
    <>
      <PageHeader
        title={rec.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <RecurringStatusBadge status={rec.status} />
            <ScheduleText schedule={rec.schedule} />
            <span>
              · {date(rec.start)} – {rec.end ? date(rec.end) : '∞'}
            </span>
          </span>
        }
        actions={
          <>
            {can.runRecurring(role) && <RunNowButton />}
            {writer && rec.status !== 'ended' && (
              <>
                <Button variant="outline" onClick={() => setEditing(true)}>
                  <Pencil /> {t('common.edit')}
                </Button>
                {rec.status === 'active' ? (
                  <Button variant="outline" disabled={action.isPending} onClick={() => act('pause')}>
                    {action.isPending ? <Spinner /> : <Pause />} {t('recurring.pause')}
                  </Button>
                ) : (
                  <Button variant="outline" disabled={action.isPending} onClick={() => act('resume')}>
                    {action.isPending ? <Spinner /> : <Play />} {t('recurring.resume')}
                  </Button>
                )}
                <Button variant="outline" disabled={action.isPending} onClick={() => act('end')}>
                  <CircleStop /> {t('recurring.endNow')}
                </Button>
              </>
            )}
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card>
          <CardHeader>
            <CardTitle>{t('recurring.nextRuns')}</CardTitle>
          </CardHeader>
          <CardContent>
            {rec.next_runs.length === 0 ? (
              <EmptyState title={t('recurring.noNextRuns')} />
            ) : (
              <ol className="grid gap-1 tabular-nums" data-testid="recurring-next-runs">
                {rec.next_runs.slice(0, NEXT_SHOWN).map((d) => (
                  <li key={d}>{date(d)}</li>
                ))}
              </ol>
            )}
            {rec.status === 'paused' && <p className="text-muted-foreground mt-3 text-sm">{t('recurring.pausedHint')}</p>}
            {rec.schedule.frequency === 'monthly' && rec.schedule.day >= 29 && <p className="text-muted-foreground mt-3 text-sm">{t('recurring.monthEnd', { day: rec.schedule.day })}</p>}
          </CardContent>
        </Card>
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>{t('recurring.template')}</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid gap-1 text-sm">
              <Row label={t('tx.kind')}>
                <Badge variant="outline">{t(`txKind.${tpl.kind}`)}</Badge>
              </Row>
              <Row label={t('common.description')}>{tpl.description}</Row>
              {tpl.project_id && <Row label={t('tx.project')}>{n.project.get(tpl.project_id) ?? '…'}</Row>}
              {tpl.category_id && <Row label={t('tx.category')}>{n.category.get(tpl.category_id) ?? '…'}</Row>}
              {tpl.counterparty_id && <Row label={t('tx.counterparty')}>{n.counterparty.get(tpl.counterparty_id) ?? '…'}</Row>}
              {tpl.tags.length > 0 && <Row label={t('tx.tags')}>{tpl.tags.join(', ')}</Row>}
            </dl>
            <Table aria-label={t('tx.entries')} className="mt-3">
              <TableHeader>
                <TableRow>
                  <TableHead>{t('tx.account')}</TableHead>
                  <TableHead className="text-right">{t('common.amount')}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {tpl.entries.map((e, i) => (
                  <TableRow key={i}>
                    <TableCell>{n.account.get(e.account_id) ?? '…'}</TableCell>
                    <TableCell className="text-right">
                      <Money amount={e.amount} currency={currencyOf(e.account_id)} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      </div>
      <Card className="mt-6">
        <CardHeader>
          <CardTitle>
            {t('recurring.occurrences')}{' '}
            <span className="text-muted-foreground text-sm font-normal">
              {t('recurring.counts', { posted: rec.posted, failed: rec.failed })}
            </span>
          </CardTitle>
        </CardHeader>
        <CardContent>
          {occurrences.length === 0 ? (
            <EmptyState title={t('recurring.noOccurrences')} />
          ) : (
            <Table aria-label={t('recurring.occurrences')} data-testid="recurring-occurrences">
              <TableHeader>
                <TableRow>
                  <TableHead>{t('common.date')}</TableHead>
                  <TableHead>{t('common.status')}</TableHead>
                  <TableHead>{t('recurring.result')}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {occurrences.map((o) => (
                  <TableRow key={o.date} data-testid="occurrence-row">
                    <TableCell className="tabular-nums">{date(o.date)}</TableCell>
                    <TableCell>
                      <Badge variant={o.status === 'posted' ? 'default' : 'destructive'}>{t(o.status === 'posted' ? 'recurring.posted' : 'recurring.failed')}</Badge>
                    </TableCell>
                    <TableCell>
                      {o.transaction_id ? (
                        <Link to={`/transactions/${o.transaction_id}`} className="text-primary underline-offset-4 hover:underline" data-testid="occurrence-tx">
                          {t('recurring.openTransaction')}
                        </Link>
                      ) : (
                        <span className="text-destructive text-sm">{o.reason ?? '—'}</span>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      {writer && <RecurringDialog open={editing} onOpenChange={setEditing} editing={rec} />}
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
