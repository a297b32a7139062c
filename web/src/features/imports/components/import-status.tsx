import { AlertTriangle, ChartColumn, Copy, RefreshCw, Unlink } from 'lucide-react'
import type { ReactNode } from 'react'
import { Link } from 'react-router'

import { Spinner } from '@/components/states'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Progress } from '@/components/ui/progress'
import { useI18n } from '@/lib/i18n'

import { isActive, type Import } from '../api'
import { messages } from '../i18n'
import { labelOf } from '../lib/labels'
import { metricsLinkOf } from '../lib/links'
import { ImportStateBadge } from './import-state-badge'

/**
 * What an import is doing: a live progress bar while it is queued or running; when done the
 * format it was read as, the row counts, its days and links onwards; when failed the reason
 * and a retry that accepts the valid rows. `errors` is the row-errors table, shown when rows failed.
 */
export function ImportStatus({
  imp,
  sourceName,
  unmatchedCount,
  canRetry,
  retrying,
  onRetry,
  errors,
}: {
  imp: Import
  sourceName?: string
  unmatchedCount?: number
  canRetry: boolean
  retrying?: boolean
  onRetry: () => void
  errors?: ReactNode
}) {
  const { t, number, date } = useI18n(messages)
  const active = isActive(imp)
  const total = imp.rows_total ?? 0
  const metricsLink = metricsLinkOf(imp)

  return (
    <section aria-label={t('imports.current')} className="min-w-0 space-y-4" data-testid="import-status">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="truncate font-semibold" title={imp.file_name}>
          {imp.file_name}
        </h2>
        <ImportStateBadge state={imp.state} />
        {sourceName && <span className="text-muted-foreground text-sm">{sourceName}</span>}
      </div>

      {active && (
        <div className="grid gap-2">
          <Progress value={imp.progress} aria-label={t('imports.progress')} />
          <div className="text-muted-foreground flex justify-between text-sm" aria-live="polite">
            <span className="inline-flex items-center gap-2">
              <Spinner className="size-3" />
              {imp.state === 'queued' ? t('imports.waiting') : t('imports.reading')}
            </span>
            <span className="tabular-nums" data-testid="rows-progress">
              {total > 0 ? t('imports.rowsOf', { done: number(imp.rows_done), total: number(total) }) : t('imports.rowsDone', { done: number(imp.rows_done) })}
            </span>
          </div>
        </div>
      )}

      {imp.state === 'done' && (
        <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-3" data-testid="import-summary">
          <Fact label={t('imports.detectedFormat')} value={labelOf(t, 'importFormat', imp.detected_format)} testId="detected-format" />
          <Fact label={t('imports.kind')} value={labelOf(t, 'importKind', imp.kind)} />
          <Fact label={t('imports.dates')} value={imp.date_from ? `${date(imp.date_from)} – ${date(imp.date_to)}` : '—'} />
          <Fact label={t('imports.rowsOk')} value={number(imp.rows_ok)} testId="rows-ok" />
          <Fact label={t('imports.rowsFailed')} value={number(imp.rows_failed)} testId="rows-failed" />
          <Fact label={t('imports.rowsSkipped')} value={number(imp.rows_skipped)} testId="rows-skipped" />
        </dl>
      )}

      {imp.state === 'done' && (
        <div className="flex flex-wrap gap-2">
          {metricsLink && (
            <Button asChild size="sm">
              <Link to={metricsLink}>
                <ChartColumn /> {t('imports.viewMetrics')}
              </Link>
            </Button>
          )}
          {!!unmatchedCount && (
            <Button asChild size="sm" variant="outline">
              <Link to={`/traffic/unmatched?import=${imp.id}`}>
                <Unlink /> {t('imports.unmatchedKeys', { count: number(unmatchedCount) })}
              </Link>
            </Button>
          )}
        </div>
      )}

      {imp.state === 'failed' && (
        <Alert variant="destructive">
          <AlertTriangle />
          <AlertTitle>{t('imports.failed')}</AlertTitle>
          <AlertDescription>
            <p data-testid="import-error">{imp.error || t('imports.failedNoReason')}</p>
            {canRetry && (
              <Button size="sm" variant="outline" className="mt-2" onClick={onRetry} disabled={retrying}>
                {retrying ? <Spinner /> : <RefreshCw />} {t('imports.retryAcceptValid')}
              </Button>
            )}
          </AlertDescription>
        </Alert>
      )}

      {imp.state === 'duplicate' && (
        <Alert>
          <Copy />
          <AlertTitle>{t('imports.alreadyImported')}</AlertTitle>
          <AlertDescription>
            {imp.duplicate_of && (
              <Link className="text-primary underline-offset-4 hover:underline" to={`/traffic/imports?import=${imp.duplicate_of}`}>
                {t('imports.openOriginal')}
              </Link>
            )}
          </AlertDescription>
        </Alert>
      )}

      {!active && imp.rows_failed > 0 && errors}
    </section>
  )
}

function Fact({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="font-medium tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  )
}
