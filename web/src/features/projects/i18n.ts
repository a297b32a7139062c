import { defineMessages } from '@/lib/i18n'

/** Strings of the projects screens: English defines the keys, Russian must have every one. */
export const messages = defineMessages({
  en: {
    'projects.description': 'Group income and spending by project.',
    'projects.new': 'New project',
    'projects.edit': 'Edit project',
    'projects.dialogDescription': 'Transactions can name a project.',
    'projects.empty': 'No projects match',
  },
  ru: {
    'projects.description': 'Доходы и расходы по проектам.',
    'projects.new': 'Новый проект',
    'projects.edit': 'Изменить проект',
    'projects.dialogDescription': 'Операции могут относиться к проекту.',
    'projects.empty': 'Проекты не найдены',
  },
})
