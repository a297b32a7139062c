import { defineMessages } from '@/lib/i18n'

/** Strings of the operator alerts banner: English defines the keys, Russian must have every one. */
export const messages = defineMessages({
  en: {
    'alerts.title': 'Needs attention ({count})',
    'alerts.kind.import_failed': 'Import failed',
    'alerts.kind.fx_sync_failed': 'Exchange-rate sync failed',
    'alerts.kind.projector_stuck': 'Projector stuck: reports are not updated',
    'alerts.kind.backup_overdue': 'Backups overdue',
    'alerts.since': 'since {since}',
    'alerts.open': 'Open',
    'alerts.mailed': 'Admins were mailed when each of these started.',
  },
  ru: {
    'alerts.title': 'Требует внимания ({count})',
    'alerts.kind.import_failed': 'Импорт не удался',
    'alerts.kind.fx_sync_failed': 'Не удалось загрузить курсы валют',
    'alerts.kind.projector_stuck': 'Проектор остановился: отчёты не обновляются',
    'alerts.kind.backup_overdue': 'Резервные копии просрочены',
    'alerts.since': 'с {since}',
    'alerts.open': 'Открыть',
    'alerts.mailed': 'Администраторы получили письмо, когда каждое из этого началось.',
  },
})
