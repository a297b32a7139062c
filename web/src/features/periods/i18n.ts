import { defineMessages } from '@/lib/i18n'

/** Strings of the periods screens: English defines the keys, Russian must have every one. */
export const messages = defineMessages({
  en: {
    'validation.month': 'Enter a month',

    'periods.description': 'Closed months take no postings, edits or reversals.',
    'periods.closedThrough': 'Closed through',
    'periods.nothingClosed': 'Nothing closed yet',
    'periods.close': 'Close a month',
    'periods.closeHint': 'Closes the chosen month and every month before it.',
    'periods.month': 'Month',
    'periods.closeButton': 'Close month',
    'periods.closedDone': 'Closed through {date}',
    'periods.reopen': 'Reopen',
    'periods.reopenHint': 'Leave empty to reopen everything, or keep months up to the chosen one closed.',
    'periods.keepClosedThrough': 'Keep closed through (optional)',
    'periods.reopenButton': 'Reopen',
    'periods.reopenedDone': 'Periods reopened',
  },
  ru: {
    'validation.month': 'Введите месяц',

    'periods.description': 'В закрытые месяцы нельзя проводить, менять и сторнировать операции.',
    'periods.closedThrough': 'Закрыто по',
    'periods.nothingClosed': 'Ничего не закрыто',
    'periods.close': 'Закрыть месяц',
    'periods.closeHint': 'Закрывает выбранный месяц и все предыдущие.',
    'periods.month': 'Месяц',
    'periods.closeButton': 'Закрыть месяц',
    'periods.closedDone': 'Закрыто по {date}',
    'periods.reopen': 'Открыть заново',
    'periods.reopenHint': 'Оставьте пустым, чтобы открыть всё, или выберите месяц, до которого период останется закрытым.',
    'periods.keepClosedThrough': 'Оставить закрытым по (необязательно)',
    'periods.reopenButton': 'Открыть',
    'periods.reopenedDone': 'Периоды открыты',
  },
})
