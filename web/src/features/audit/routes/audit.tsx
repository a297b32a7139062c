import { ChevronLeft, ChevronRight, ChevronsRight, ShieldCheck, X } from 'lucide-react'
import { Fragment, useMemo, useState } from 'react'

import { DateField } from '@/components/date-field'
import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState, Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useDebounced } from '@/hooks/use-debounced'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { useAuditEventKinds, useAuditEvents, useAuditHead, useVerifyChain } from '../api'
import { messages } from '../i18n'
import { filterChoices, matchText, NO_FILTER, toQuery, validUserId, type AuditFilter } from '../lib/filter'
import type { AuditEvent } from '../types'

const PAGE = 200

export default function AuditPage() {
  const { t, number, dateTime } = useI18n(messages)
  const role = useRole()
  const head = useAuditHead()
  const kinds = useAuditEventKinds()
  // Cursor paging: the stack holds the `after` of every page visited so far.
  const [cursors, setCursors] = useState<number[]>([0])
  const after = cursors[cursors.length - 1]
  const [filter, setFilterState] = useState<AuditFilter>(NO_FILTER)
  // Typed ids go to the server once typing pauses, not on every key.
  const query = useDebounced(useMemo(() => toQuery(filter), [filter]))
  const events = useAuditEvents(after, PAGE, query)
  const [text, setText] = useState('')
  const setFilter = (next: (f: AuditFilter) => AuditFilter) => {
    setFilterState(next)
    // Another filter is another stream: start it from the beginning.
    setCursors([0])
  }
  const set = (k: keyof AuditFilter) => (value: string) =>
    // A new aggregate type has other event types: drop the chosen one.
    setFilter((f) => ({ ...f, [k]: value, ...(k === 'aggregateType' ? { eventType: '' } : {}) }))
  const [expanded, setExpanded] = useState<number | null>(null)
  const verify = useVerifyChain()

  const loaded = events.data?.events
  const shown = useMemo(() => matchText(loaded ?? [], text), [loaded, text])
  const { aggregateType, eventType } = filter
  const choices = useMemo(() => filterChoices(kinds.data, { aggregateType, eventType }), [kinds.data, aggregateType, eventType])
  const serverFiltered = Object.values(filter).some(Boolean)
  const userIdValid = validUserId(filter.userId)

  if (!can.audit(role)) return <ErrorState error={new Error(t('common.forbidden'))} />

  const nextAfter = events.data?.nextAfter ?? null
  // The page covers the sealed events after `after` up to where the next page starts (or the head).
  const scannedTo = nextAfter ?? Math.max(after, head.data?.seq ?? after)
  // The newest page: recent activity is what an auditor usually looks for first.
  const latestAfter = head.data ? Math.max(0, head.data.seq - PAGE) : null

  return (
    <>
      <PageHeader
        title={t('nav.audit')}
        description={t('audit.description')}
        actions={
          <Button variant="outline" onClick={() => verify.mutate()} disabled={verify.isPending}>
            {verify.isPending ? <Spinner /> : <ShieldCheck />} {t('audit.verify')}
          </Button>
        }
      />
      <Card className="mb-6">
        <CardHeader>
          <CardDescription>{t('audit.head')}</CardDescription>
          {head.error ? (
            <ErrorState error={head.error} onRetry={() => void head.refetch()} />
          ) : head.isPending ? (
            <LoadingState rows={1} />
          ) : (
            <CardTitle className="grid gap-1 text-sm font-normal" data-testid="audit-head">
              <span>
                {t('audit.sealed')}: <b className="tabular-nums">{number(head.data.seq)}</b> · {t('audit.position')}: <b className="tabular-nums">{number(head.data.position)}</b>
              </span>
              <code className="text-muted-foreground text-xs break-all">{head.data.hash}</code>
            </CardTitle>
          )}
          {verify.data !== undefined && (
            <pre className="bg-muted mt-2 max-h-48 overflow-auto rounded p-2 text-xs" data-testid="verify-report">
              {JSON.stringify(verify.data, null, 2)}
            </pre>
          )}
        </CardHeader>
      </Card>
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <NativeSelect className="w-44" value={filter.aggregateType} onChange={(e) => set('aggregateType')(e.target.value)} aria-label={t('audit.aggregateType')}>
          <option value="">{t('audit.allAggregates')}</option>
          {choices.aggregates.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect className="w-56" value={filter.eventType} onChange={(e) => set('eventType')(e.target.value)} aria-label={t('audit.eventType')}>
          <option value="">{t('audit.allEvents')}</option>
          {choices.eventTypes.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </NativeSelect>
        <Input className="w-72 font-mono text-xs" placeholder={t('audit.aggregateId')} aria-label={t('audit.aggregateId')} value={filter.aggregateId} onChange={(e) => set('aggregateId')(e.target.value)} />
        <Input
          className="w-72 font-mono text-xs"
          placeholder={t('audit.userId')}
          aria-label={t('audit.userId')}
          aria-invalid={userIdValid ? undefined : true}
          title={userIdValid ? t('audit.userId') : t('audit.userIdInvalid')}
          value={filter.userId}
          onChange={(e) => set('userId')(e.target.value)}
        />
        <DateField className="w-40" aria-label={t('audit.recordedFrom')} title={t('audit.recordedFrom')} value={filter.from} max={filter.to || undefined} onChange={set('from')} />
        <DateField className="w-40" aria-label={t('audit.recordedTo')} title={t('audit.recordedTo')} value={filter.to} min={filter.from || undefined} onChange={set('to')} />
        {serverFiltered && (
          <Button variant="ghost" size="icon" onClick={() => setFilter(() => NO_FILTER)} aria-label={t('tx.clearFilters')} title={t('tx.clearFilters')}>
            <X />
          </Button>
        )}
      </div>
      <div className="mb-4 flex flex-wrap items-center gap-2">
        <Input type="search" className="max-w-xs" placeholder={t('audit.textFilter')} aria-label={t('audit.textFilter')} value={text} onChange={(e) => setText(e.target.value)} />
        <span className="text-muted-foreground text-xs" data-testid="audit-shown">
          {text.trim() ? t('audit.shown', { shown: number(shown.length), loaded: number(loaded?.length ?? 0) }) : t('audit.filterHint')}
        </span>
        <div className="ml-auto flex items-center gap-2 text-sm">
          <span className="text-muted-foreground tabular-nums" data-testid="audit-range">
            {t('audit.range', { from: number(after + 1), to: number(scannedTo) })}
          </span>
          <Button variant="outline" size="icon" aria-label={t('table.previous')} disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            <ChevronLeft />
          </Button>
          <Button variant="outline" size="icon" aria-label={t('table.next')} disabled={nextAfter === null || events.isPlaceholderData} onClick={() => nextAfter !== null && setCursors((c) => [...c, nextAfter])}>
            <ChevronRight />
          </Button>
          <Button
            variant="outline"
            size="icon"
            aria-label={t('audit.latest')}
            title={t('audit.latest')}
            disabled={latestAfter === null || after === latestAfter}
            onClick={() => latestAfter !== null && setCursors((c) => [...c, latestAfter])}
          >
            <ChevronsRight />
          </Button>
        </div>
      </div>
      {events.error ? (
        <ErrorState error={events.error} onRetry={() => void events.refetch()} />
      ) : events.isPending ? (
        <LoadingState />
      ) : shown.length === 0 ? (
        <EmptyState title={t('audit.empty')}>{nextAfter !== null && <p className="text-sm">{t('audit.emptyMore')}</p>}</EmptyState>
      ) : (
        <div className="rounded-md border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>{t('audit.seq')}</TableHead>
                <TableHead>{t('audit.recorded')}</TableHead>
                <TableHead>{t('audit.aggregateType')}</TableHead>
                <TableHead>{t('audit.event')}</TableHead>
                <TableHead>{t('audit.aggregate')}</TableHead>
                <TableHead>{t('audit.hash')}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.map((e) => (
                <Fragment key={e.seq}>
                  <TableRow data-testid="audit-event">
                    <TableCell className="tabular-nums">{e.seq}</TableCell>
                    <TableCell>{dateTime(e.recorded_at)}</TableCell>
                    <TableCell>{e.aggregate_type}</TableCell>
                    <TableCell>
                      <button type="button" className="underline-offset-2 hover:underline" aria-expanded={expanded === e.seq} onClick={() => setExpanded(expanded === e.seq ? null : e.seq)}>
                        {e.event_type} <span className="text-muted-foreground text-xs">v{e.event_version}</span>
                      </button>
                    </TableCell>
                    <TableCell className="font-mono text-xs">
                      {e.aggregate_id} #{e.sequence}
                    </TableCell>
                    <TableCell className="font-mono text-xs" title={e.hash}>
                      {e.hash.slice(0, 12)}…
                    </TableCell>
                  </TableRow>
                  {expanded === e.seq && (
                    <TableRow>
                      <TableCell colSpan={6} className="bg-muted/40 whitespace-normal">
                        <EventDetail e={e} />
                      </TableCell>
                    </TableRow>
                  )}
                </Fragment>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </>
  )
}

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2)
  } catch {
    return json
  }
}

function EventDetail({ e }: { e: AuditEvent }) {
  const { t } = useI18n(messages)
  return (
    <div className="grid gap-2 md:grid-cols-2">
      <div>
        <div className="mb-1 text-xs font-medium">{t('audit.payload')}</div>
        <pre className="bg-background max-h-72 overflow-auto rounded border p-2 text-xs">{pretty(e.payload)}</pre>
      </div>
      <div>
        <div className="mb-1 text-xs font-medium">{t('audit.metadata')}</div>
        <pre className="bg-background max-h-72 overflow-auto rounded border p-2 text-xs">{pretty(e.metadata)}</pre>
      </div>
    </div>
  )
}
