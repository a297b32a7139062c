import { Badge } from '@/components/ui/badge'
import { useI18n } from '@/lib/i18n'

import type { RecurringStatus, Schedule } from '../api'
import { messages } from '../i18n'
import { WEEKDAYS } from '../schemas'

export function RecurringStatusBadge({ status }: { status: string }) {
  const { t } = useI18n(messages)
  const s = (['active', 'paused', 'ended'].includes(status) ? status : 'active') as RecurringStatus
  return (
    <Badge variant={s === 'active' ? 'default' : s === 'paused' ? 'secondary' : 'outline'} data-testid="recurring-status">
      {t(`recurringStatus.${s}`)}
    </Badge>
  )
}

/** The schedule in words: "Monthly on day 31", "Every 2 weeks on Mon, Thu", a cron expression. */
export function ScheduleText({ schedule }: { schedule: Schedule }) {
  const { t } = useI18n(messages)
  const every = (n: number | undefined, unit: 'days' | 'weeks' | 'months' | 'years') => (n && n > 1 ? t(`recurring.every.${unit}`, { n }) : t(`recurring.every1.${unit}`))
  switch (schedule.frequency) {
    case 'daily':
      return <>{every(schedule.interval, 'days')}</>
    case 'weekly': {
      const days = WEEKDAYS.filter((d) => schedule.weekdays.includes(d)).map((d) => t(`weekday.${d}`))
      return <>{`${every(schedule.interval, 'weeks')}: ${days.join(', ')}`}</>
    }
    case 'monthly':
      return <>{`${every(schedule.interval, 'months')}: ${t('recurring.onDay', { day: schedule.day })}`}</>
    case 'yearly':
      return <>{`${every(schedule.interval, 'years')}: ${t('recurring.onDay', { day: schedule.day })} ${t(`month.${schedule.month}` as 'month.1')}`}</>
    case 'cron':
      return <span className="font-mono text-xs">cron {schedule.expression}</span>
  }
}
