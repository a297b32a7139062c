import { AlertTriangle } from 'lucide-react'
import { Link } from 'react-router'

import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { can, useSession } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { alertPage, useOperatorAlerts } from '../api'
import { messages } from '../i18n'

/**
 * The operator alerts (failed import or exchange-rate sync, stuck projector, overdue backups)
 * across the top of every page, for admins; nothing when all is well or for other roles.
 */
export function AlertsBanner() {
  const { user } = useSession()
  const admin = can.operate(user?.role)
  const { t, dateTime } = useI18n(messages)
  const query = useOperatorAlerts(admin)
  const alerts = query.data?.alerts ?? []
  if (!admin || alerts.length === 0) return null
  return (
    <Alert variant="destructive" className="rounded-none border-x-0 border-t-0" data-testid="operator-alerts">
      <AlertTriangle aria-hidden />
      <AlertTitle>{t('alerts.title', { count: alerts.length })}</AlertTitle>
      <AlertDescription>
        <ul className="list-disc space-y-1 pl-4">
          {alerts.map((a) => {
            const page = alertPage(a.kind)
            return (
              <li key={a.key}>
                <span className="font-medium">{t(`alerts.kind.${a.kind}`)}</span>: <span className="break-all">{a.subject}</span>
                {a.detail && <> — {a.detail}</>} <span className="text-muted-foreground">({t('alerts.since', { since: dateTime(a.since) })})</span>
                {page && (
                  <>
                    {' '}
                    <Link to={page} className="underline">
                      {t('alerts.open')}
                    </Link>
                  </>
                )}
              </li>
            )
          })}
        </ul>
        <p className="text-muted-foreground text-xs">{t('alerts.mailed')}</p>
      </AlertDescription>
    </Alert>
  )
}
