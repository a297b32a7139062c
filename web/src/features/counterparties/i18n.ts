import { defineMessages } from '@/lib/i18n'

/** Strings of the counterparties screens: English defines the keys, Russian must have every one. */
export const messages = defineMessages({
  en: {
    'common.email': 'Email',
    'common.phone': 'Phone',

    'counterparties.description': 'Customers, vendors and affiliate programs.',
    'counterparties.new': 'New counterparty',
    'counterparties.edit': 'Edit counterparty',
    'counterparties.dialogDescription': 'Who money comes from or goes to.',
    'counterparties.kind': 'Kind',
    'counterparties.allKinds': 'All kinds',
    'counterparties.website': 'Website',
    'counterparties.taxId': 'Tax ID',
    'counterparties.notes': 'Notes',
    'counterparties.contacts': 'Contacts',
    'counterparties.contactRole': 'Role',
    'counterparties.addContact': 'Add contact',
    'counterparties.removeContact': 'Remove contact',
    'counterparties.empty': 'No counterparties match',
  },
  ru: {
    'common.email': 'Эл. почта',
    'common.phone': 'Телефон',

    'counterparties.description': 'Клиенты, поставщики и партнёрские программы.',
    'counterparties.new': 'Новый контрагент',
    'counterparties.edit': 'Изменить контрагента',
    'counterparties.dialogDescription': 'От кого приходят и кому уходят деньги.',
    'counterparties.kind': 'Вид',
    'counterparties.allKinds': 'Все виды',
    'counterparties.website': 'Сайт',
    'counterparties.taxId': 'ИНН',
    'counterparties.notes': 'Заметки',
    'counterparties.contacts': 'Контакты',
    'counterparties.contactRole': 'Должность',
    'counterparties.addContact': 'Добавить контакт',
    'counterparties.removeContact': 'Удалить контакт',
    'counterparties.empty': 'Контрагенты не найдены',
  },
})
