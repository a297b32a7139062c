import { CheckCircle2, XCircle } from 'lucide-react'
import { useMemo, useState } from 'react'

import { DateField } from '@/components/date-field'
import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Label } from '@/components/ui/label'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useSearchParam } from '@/hooks/use-search-param'
import { useI18n } from '@/lib/i18n'

import { useBalances, useTrialBalance, type TrialBalance } from '../api'
import { BalanceSheetReport } from '../components/balance-sheet-report'
import { CashFlowReport } from '../components/cash-flow-report'
import { PnlReport } from '../components/pnl-report'
import { ProfitabilityReport } from '../components/profitability-report'
import { messages } from '../i18n'
import { parsePnlGroup, pnlGroupParam, type PnlDim } from '../lib/pnl'

type Tab = 'balances' | 'trial' | 'profitability' | AccountingTab
type AccountingTab = 'pnl' | 'balanceSheet' | 'cashFlow'
const ACCOUNTING_TABS: AccountingTab[] = ['pnl', 'balanceSheet', 'cashFlow']
const TABS: Tab[] = ['balances', 'trial', 'profitability', ...ACCOUNTING_TABS]
const isTab = (s: string | null): s is Tab => TABS.includes(s as Tab)
const withAsOf = (tab: Tab) => tab === 'balances' || tab === 'trial'

export default function ReportsPage() {
  const { t } = useI18n(messages)
  // The report shown and the P&L's grouping live in the URL (reload, back and shared links keep them).
  const [params, setParam] = useSearchParam()
  const shown = params.get('report')
  const tab: Tab = isTab(shown) ? shown : 'balances'
  const groupBy = parsePnlGroup(params.get('group_by'))
  const setTab = (next: Tab) => setParam('report', next === 'balances' ? '' : next)
  const setGroupBy = (dims: PnlDim[]) => setParam('group_by', pnlGroupParam(dims))
  const [asOf, setAsOf] = useState('')
  return (
    <>
      <PageHeader title={t('nav.reports')} description={t('reports.description')} />
      <div className="mb-4 flex flex-wrap items-end gap-4">
        <div role="tablist" aria-label={t('nav.reports')} className="bg-muted inline-flex gap-1 rounded-lg p-1">
          <Button role="tab" aria-selected={tab === 'balances'} size="sm" variant={tab === 'balances' ? 'default' : 'ghost'} onClick={() => setTab('balances')}>
            {t('reports.balances')}
          </Button>
          <Button role="tab" aria-selected={tab === 'trial'} size="sm" variant={tab === 'trial' ? 'default' : 'ghost'} onClick={() => setTab('trial')}>
            {t('reports.trialBalance')}
          </Button>
          <Button role="tab" aria-selected={tab === 'profitability'} size="sm" variant={tab === 'profitability' ? 'default' : 'ghost'} onClick={() => setTab('profitability')}>
            {t('reports.profitability')}
          </Button>
          {ACCOUNTING_TABS.map((a) => (
            <Button key={a} role="tab" aria-selected={tab === a} size="sm" variant={tab === a ? 'default' : 'ghost'} onClick={() => setTab(a)}>
              {t(`accReports.tab.${a}`)}
            </Button>
          ))}
        </div>
        {withAsOf(tab) && (
          <div className="grid gap-1.5">
            <Label htmlFor="as-of">{t('reports.asOf')}</Label>
            <DateField id="as-of" className="w-44" value={asOf} onChange={setAsOf} />
          </div>
        )}
        {asOf && withAsOf(tab) && (
          <Button variant="ghost" size="sm" onClick={() => setAsOf('')}>
            {t('reports.today')}
          </Button>
        )}
      </div>
      {tab === 'balances' ? (
        <BalancesReport asOf={asOf} />
      ) : tab === 'trial' ? (
        <TrialBalanceReport asOf={asOf} />
      ) : tab === 'pnl' ? (
        <PnlReport groupBy={groupBy} onGroupByChange={setGroupBy} />
      ) : tab === 'balanceSheet' ? (
        <BalanceSheetReport />
      ) : tab === 'cashFlow' ? (
        <CashFlowReport />
      ) : (
        <ProfitabilityReport />
      )}
    </>
  )
}

function BalancesReport({ asOf }: { asOf: string }) {
  const { t, number } = useI18n(messages)
  const q = useBalances(asOf)
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />
  if (q.isPending) return <LoadingState />
  if (q.data.items.length === 0) return <EmptyState title={t('reports.noBalances')} />
  return (
    <div className="rounded-md border">
      <Table aria-label={t('reports.balances')}>
        <TableHeader>
          <TableRow>
            <TableHead>{t('tx.account')}</TableHead>
            <TableHead>{t('accounts.type')}</TableHead>
            <TableHead>{t('common.currency')}</TableHead>
            <TableHead className="text-right">{t('reports.debit')}</TableHead>
            <TableHead className="text-right">{t('reports.credit')}</TableHead>
            <TableHead className="text-right">{t('common.balance')}</TableHead>
            <TableHead className="text-right">{t('reports.postings')}</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {q.data.items.map((b) => (
            <TableRow key={b.account_id} data-testid="balance-row">
              <TableCell className="font-medium">{b.name}</TableCell>
              <TableCell>{t(`accountType.${b.type}`)}</TableCell>
              <TableCell>{b.currency}</TableCell>
              <TableCell className="text-right">
                <Money amount={b.debit} currency={b.currency} />
              </TableCell>
              <TableCell className="text-right">
                <Money amount={b.credit} currency={b.currency} />
              </TableCell>
              <TableCell className="text-right font-medium">
                <Money amount={b.balance} currency={b.currency} />
              </TableCell>
              <TableCell className="text-right tabular-nums">{number(b.postings)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  )
}

function TrialBalanceReport({ asOf }: { asOf: string }) {
  const { t } = useI18n(messages)
  const q = useTrialBalance(asOf)
  const groups = useMemo(() => group(q.data), [q.data])
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />
  if (q.isPending) return <LoadingState />
  if (q.data.lines.length === 0) return <EmptyState title={t('reports.noBalances')} />
  return (
    <div className="grid gap-6">
      {groups.map(({ currency, lines, total }) => (
        <section key={currency} aria-label={t('reports.trialIn', { currency })} className="rounded-md border">
          <h2 className="flex items-center gap-2 border-b px-3 py-2 font-medium">
            {currency}
            {total &&
              (total.balanced ? (
                <Badge variant="secondary" className="text-green-700">
                  <CheckCircle2 /> {t('reports.balanced')}
                </Badge>
              ) : (
                <Badge variant="destructive">
                  <XCircle /> {t('reports.unbalanced')}
                </Badge>
              ))}
          </h2>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>{t('tx.account')}</TableHead>
                <TableHead>{t('accounts.type')}</TableHead>
                <TableHead className="text-right">{t('reports.debit')}</TableHead>
                <TableHead className="text-right">{t('reports.credit')}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {lines.map((l, i) => (
                <TableRow key={`${l.account_id ?? 'conv'}-${i}`} className={l.account_id ? undefined : 'bg-amber-50 italic'} data-testid={l.account_id ? 'trial-line' : 'trial-conversion'}>
                  <TableCell>{l.account_id ? l.name : t('reports.conversions')}</TableCell>
                  <TableCell>{l.type ? t(`accountType.${l.type}`) : ''}</TableCell>
                  <TableCell className="text-right">
                    <Money amount={l.debit} currency={l.currency} />
                  </TableCell>
                  <TableCell className="text-right">
                    <Money amount={l.credit} currency={l.currency} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
            {total && (
              <TableFooter>
                <TableRow>
                  <TableCell colSpan={2}>{t('reports.totalIn', { currency })}</TableCell>
                  <TableCell className="text-right">
                    <Money amount={total.debit} currency={currency} />
                  </TableCell>
                  <TableCell className="text-right">
                    <Money amount={total.credit} currency={currency} />
                  </TableCell>
                </TableRow>
              </TableFooter>
            )}
          </Table>
        </section>
      ))}
    </div>
  )
}

function group(tb: TrialBalance | undefined) {
  if (!tb) return []
  const currencies = [...new Set([...tb.lines.map((l) => l.currency), ...tb.totals.map((x) => x.currency)])].sort()
  return currencies.map((currency) => ({
    currency,
    // Account lines first, the "Currency conversions" lines (no account) last.
    lines: tb.lines.filter((l) => l.currency === currency).sort((a, b) => Number(!a.account_id) - Number(!b.account_id)),
    total: tb.totals.find((x) => x.currency === currency),
  }))
}
