import { AlertTriangle, Inbox, Loader2 } from 'lucide-react'
import type { ReactNode } from 'react'

import { Button } from '@/components/ui/button'
import { Skeleton } from '@/components/ui/skeleton'
import { useI18n } from '@/lib/i18n'

export function LoadingState({ rows = 5 }: { rows?: number }) {
  const { t } = useI18n()
  return (
    <div role="status" aria-live="polite" className="space-y-2 py-2">
      <span className="sr-only">{t('common.loading')}</span>
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} className="h-8 w-full" />
      ))}
    </div>
  )
}

export function Spinner({ className }: { className?: string }) {
  return <Loader2 className={`animate-spin ${className ?? ''}`} aria-hidden />
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="text-muted-foreground flex flex-col items-center justify-center gap-2 rounded-lg border border-dashed py-10 text-center">
      <Inbox className="size-8" aria-hidden />
      <p className="text-foreground font-medium">{title}</p>
      {children}
    </div>
  )
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n()
  const message = error instanceof Error ? error.message : String(error)
  return (
    <div role="alert" className="border-destructive/40 text-destructive flex flex-col items-center gap-2 rounded-lg border py-8 text-center">
      <AlertTriangle className="size-8" aria-hidden />
      <p className="font-medium">{t('common.loadFailed')}</p>
      <p className="text-sm">{message}</p>
      {onRetry && (
        <Button variant="outline" size="sm" onClick={onRetry}>
          {t('common.retry')}
        </Button>
      )}
    </div>
  )
}
