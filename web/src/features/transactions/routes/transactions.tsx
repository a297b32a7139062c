import { Download, Plus, X } from 'lucide-react'
import { useCallback, useMemo, useState } from 'react'
import toast from 'react-hot-toast'
import { useSearchParams } from 'react-router'

import { DateField } from '@/components/date-field'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState, Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { useDebounced } from '@/hooks/use-debounced'
import { categoryTree, useAllAccounts, useAllCategories, useAllCounterparties, useAllProjects } from '@/hooks/use-lookups'
import { can, useRole } from '@/lib/auth'
import { downloadText } from '@/lib/csv'
import { useI18n } from '@/lib/i18n'
import { PERIOD_PRESETS, presetOf, presetRange, type PeriodPreset } from '@/lib/periods'
import { toastError } from '@/lib/query'
import { today } from '@/lib/utils'

import { ExportTooLarge, fetchAllTransactions, MAX_EXPORT_ROWS, TRANSACTION_KINDS, useTransactions, type Transaction, type TransactionFilters, type TransactionKind } from '../api'
import { ReverseDialog } from '../components/reverse-dialog'
import { TransactionDialog } from '../components/transaction-dialog'
import { TransactionsTable } from '../components/transactions-table'
import { messages } from '../i18n'
import { transactionsCsv } from '../lib/csv'
import { formKindOf, type FormKind } from '../lib/meta'

interface FilterState {
  from: string
  to: string
  account_id: string
  project_id: string
  category_id: string
  counterparty_id: string
  tag: string
  q: string
  kind: TransactionKind | ''
  /** 'true': only adjustments of closed months; 'false': only ordinary postings. */
  adjustments: '' | 'true' | 'false'
}

const EMPTY: FilterState = { from: '', to: '', account_id: '', project_id: '', category_id: '', counterparty_id: '', tag: '', q: '', kind: '', adjustments: '' }
const FILTER_KEYS = Object.keys(EMPTY) as (keyof FilterState)[]

/** The filters live in the URL, so a reload, the back button or a shared link keep them. */
function filtersFrom(params: URLSearchParams): FilterState {
  const out = { ...EMPTY }
  for (const k of FILTER_KEYS) (out as Record<string, string>)[k] = params.get(k) ?? ''
  if (out.kind && !TRANSACTION_KINDS.includes(out.kind)) out.kind = ''
  if (!['', 'true', 'false'].includes(out.adjustments)) out.adjustments = ''
  return out
}

export default function TransactionsPage() {
  const { t, number } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  // Links from what posted a transaction (e.g. a payout) open the list filtered by its origin.
  const [params, setParams] = useSearchParams()
  const f = useMemo(() => filtersFrom(params), [params])
  const debounced = useDebounced(f)
  const patchParams = (patch: Record<string, string>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev)
        for (const [k, v] of Object.entries(patch)) {
          if (v) next.set(k, v)
          else next.delete(k)
        }
        return next
      },
      { replace: true },
    )
  const now = today()
  const preset = f.from || f.to ? presetOf(f.from, f.to, now) : ''
  const choosePreset = (p: string) => {
    if (!p) patchParams({ from: '', to: '' })
    else if (p !== 'custom') patchParams(presetRange(p as Exclude<PeriodPreset, 'custom'>, now))
  }
  const originId = params.get('origin_id') ?? ''
  const filters = useMemo<TransactionFilters>(() => {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(debounced)) if (v && String(v).trim()) out[k] = String(v).trim()
    if (originId) out.origin_id = originId
    return out as TransactionFilters
  }, [debounced, originId])
  const query = useTransactions(filters)
  const accounts = useAllAccounts()
  const projects = useAllProjects()
  const categories = useAllCategories()
  const counterparties = useAllCounterparties()
  const accountMap = useMemo(() => new Map((accounts.data ?? []).map((a) => [a.id, a])), [accounts.data])

  const [dialog, setDialog] = useState<{ open: boolean; kind: FormKind; editing: Transaction | null }>({ open: false, kind: 'income', editing: null })
  const [reversing, setReversing] = useState<Transaction | null>(null)
  const [exporting, setExporting] = useState<string | null>(null)

  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data])
  const total = query.data?.pages[0]?.total ?? 0
  const set = (k: keyof FilterState) => (e: { target: { value: string } }) => patchParams({ [k]: e.target.value })
  const onEdit = useCallback((tx: Transaction) => setDialog({ open: true, kind: formKindOf(tx), editing: tx }), [])
  const onReverse = useCallback((tx: Transaction) => setReversing(tx), [])

  const exportCsv = async () => {
    setExporting('0')
    try {
      const all = await fetchAllTransactions(filters, (n, tot) => setExporting(`${n}/${tot}`))
      const name = (list: { id: string; name: string }[] | undefined) => {
        const m = new Map((list ?? []).map((x) => [x.id, x.name]))
        return (id: string) => m.get(id) ?? id
      }
      const csv = transactionsCsv(all, {
        account: name(accounts.data),
        project: name(projects.data),
        category: name(categories.data),
        counterparty: name(counterparties.data),
      })
      downloadText(`transactions-${new Date().toISOString().slice(0, 10)}.csv`, csv)
      toast.success(t('tx.exported', { count: number(all.length) }))
    } catch (e) {
      if (e instanceof ExportTooLarge) toast.error(t('tx.exportTooLarge', { total: number(e.total), max: number(MAX_EXPORT_ROWS) }))
      else toastError(e)
    } finally {
      setExporting(null)
    }
  }

  const open = (kind: FormKind) => setDialog({ open: true, kind, editing: null })
  const filtered = Object.values(f).some(Boolean) || !!originId

  return (
    <>
      <PageHeader
        title={t('nav.transactions')}
        description={t('tx.description')}
        actions={
          <>
            <Button variant="outline" onClick={() => void exportCsv()} disabled={exporting !== null}>
              {exporting !== null ? <Spinner /> : <Download />} {t('tx.exportCsv')}
              {exporting && exporting !== '0' && <span className="text-muted-foreground text-xs">{exporting}</span>}
            </Button>
            {writer && (
              <>
                <Button variant="outline" onClick={() => open('income')}>
                  <Plus /> {t('txKind.income')}
                </Button>
                <Button variant="outline" onClick={() => open('expense')}>
                  <Plus /> {t('txKind.expense')}
                </Button>
                <Button variant="outline" onClick={() => open('transfer')}>
                  <Plus /> {t('txKind.transfer')}
                </Button>
                <Button onClick={() => open('journal')}>
                  <Plus /> {t('txKind.journal')}
                </Button>
              </>
            )}
          </>
        }
      />
      <div className="mb-4 grid grid-cols-2 gap-2 md:grid-cols-3 lg:grid-cols-6" role="search" aria-label={t('tx.filters')}>
        <Input type="search" placeholder={t('common.search')} aria-label={t('common.search')} value={f.q} onChange={set('q')} />
        <NativeSelect aria-label={t('tx.period')} value={preset} onChange={(e) => choosePreset(e.target.value)}>
          <option value="">{t('tx.anyTime')}</option>
          {PERIOD_PRESETS.map((p) => (
            <option key={p} value={p} disabled={p === 'custom' && preset !== 'custom'}>
              {t(`period.${p}`)}
            </option>
          ))}
        </NativeSelect>
        <DateField className="w-40" aria-label={t('tx.fromDate')} title={t('tx.fromDate')} value={f.from} onChange={(v) => patchParams({ from: v })} />
        <DateField className="w-40" aria-label={t('tx.toDate')} title={t('tx.toDate')} value={f.to} onChange={(v) => patchParams({ to: v })} />
        <NativeSelect aria-label={t('tx.account')} value={f.account_id} onChange={set('account_id')}>
          <option value="">{t('tx.allAccounts')}</option>
          {(accounts.data ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.currency})
            </option>
          ))}
        </NativeSelect>
        <NativeSelect aria-label={t('tx.kind')} value={f.kind} onChange={set('kind')}>
          <option value="">{t('tx.allKinds')}</option>
          {TRANSACTION_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`txKind.${k}`)}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect aria-label={t('tx.project')} value={f.project_id} onChange={set('project_id')}>
          <option value="">{t('tx.allProjects')}</option>
          {(projects.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect aria-label={t('tx.category')} value={f.category_id} onChange={set('category_id')}>
          <option value="">{t('tx.allCategories')}</option>
          {categoryTree(categories.data ?? []).map(({ item, depth }) => (
            <option key={item.id} value={item.id}>
              {'\u00a0\u00a0'.repeat(depth)}
              {item.name}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect aria-label={t('tx.counterparty')} value={f.counterparty_id} onChange={set('counterparty_id')}>
          <option value="">{t('tx.allCounterparties')}</option>
          {(counterparties.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect aria-label={t('tx.adjustmentsFilter')} value={f.adjustments} onChange={set('adjustments')}>
          <option value="">{t('tx.adjustmentsAll')}</option>
          <option value="true">{t('tx.adjustmentsOnly')}</option>
          <option value="false">{t('tx.adjustmentsNone')}</option>
        </NativeSelect>
        <div className="flex gap-1">
          <Input placeholder={t('tx.tag')} aria-label={t('tx.tag')} value={f.tag} onChange={set('tag')} />
          {filtered && (
            <Button variant="ghost" size="icon" onClick={() => setParams(originId ? { origin_id: originId } : {}, { replace: true })} aria-label={t('tx.clearFilters')} title={t('tx.clearFilters')}>
              <X />
            </Button>
          )}
        </div>
      </div>
      {originId && (
        <div className="bg-muted mb-2 inline-flex items-center gap-2 rounded-md px-3 py-1 text-sm" data-testid="origin-filter">
          {t('tx.originFilter', { kind: t(`originKind.${rows[0]?.origin?.kind ?? 'payout'}`).toLowerCase() })}
          <Button variant="ghost" size="sm" onClick={() => patchParams({ origin_id: '' })}>
            <X /> {t('tx.originClear')}
          </Button>
        </div>
      )}
      <p className="text-muted-foreground mb-2 text-sm" aria-live="polite">
        {query.data && t('tx.count', { loaded: number(rows.length), total: number(total) })}
      </p>
      {query.error ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : query.isPending ? (
        <LoadingState rows={8} />
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? t('tx.emptyFiltered') : t('tx.empty')} />
      ) : (
        <TransactionsTable
          rows={rows}
          total={total}
          accounts={accountMap}
          hasNextPage={!!query.hasNextPage}
          isFetchingNextPage={query.isFetchingNextPage}
          fetchNextPage={() => void query.fetchNextPage()}
          canWrite={writer}
          onEdit={onEdit}
          onReverse={onReverse}
        />
      )}
      {writer && (
        <TransactionDialog
          open={dialog.open}
          onOpenChange={(o) => setDialog((d) => ({ ...d, open: o }))}
          kind={dialog.kind}
          onKindChange={(kind) => setDialog((d) => ({ ...d, kind }))}
          editing={dialog.editing}
        />
      )}
      <ReverseDialog tx={reversing} onClose={() => setReversing(null)} />
    </>
  )
}
