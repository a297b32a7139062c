import { defineMessages } from '@/lib/i18n'

/** Strings of the categories screens: English defines the keys, Russian must have every one. */
export const messages = defineMessages({
  en: {
    'categoryKind.income': 'Income',
    'categoryKind.expense': 'Expense',
    'categories.description': 'Income and expense categories, nested by parent.',
    'categories.new': 'New category',
    'categories.edit': 'Edit category',
    'categories.dialogDescription': 'A category may sit under a parent of the same kind.',
    'categories.kind': 'Kind',
    'categories.parent': 'Parent',
    'categories.noParent': '— top level —',
    'categories.anyParent': 'Any parent',
    'categories.allKinds': 'All kinds',
    'categories.empty': 'No categories match',
  },
  ru: {
    'categoryKind.income': 'Доход',
    'categoryKind.expense': 'Расход',
    'categories.description': 'Статьи доходов и расходов с вложенностью.',
    'categories.new': 'Новая категория',
    'categories.edit': 'Изменить категорию',
    'categories.dialogDescription': 'Категория может входить в родительскую того же вида.',
    'categories.kind': 'Вид',
    'categories.parent': 'Родитель',
    'categories.noParent': '— верхний уровень —',
    'categories.anyParent': 'Любой родитель',
    'categories.allKinds': 'Все виды',
    'categories.empty': 'Категории не найдены',
  },
})
