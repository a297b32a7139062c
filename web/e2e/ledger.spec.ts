import { expect, test, type Page } from './fixtures'

import { ADMIN, registerInvited } from './admin'

/**
 * One story through the real server (fresh data folder): register the first user (admin),
 * sign out and in, create accounts, post every kind of transaction, see an unbalanced journal
 * refused, check balances and the dashboard, reverse a transaction, edit one (reversal plus
 * replacement), change a second user's role, close a past month and see a posting into it refused.
 */
test.describe.configure({ mode: 'serial' })

// The run's first account (the admin), shared with the other specs (./admin.ts).
const { email, password } = ADMIN
const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true })

let page: Page
const nav = (name: string) => page.getByRole('navigation', { name: /navigation|навигация/i }).getByRole('link', { name, exact: true }).click()

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage()
})

test.afterAll(async () => {
  await page.close()
})

async function openAccountDialog() {
  await page.getByRole('button', { name: 'New account' }).click()
  return page.getByRole('dialog')
}

async function createAccount(name: string, type: string, currency: string, opening?: string) {
  const d = await openAccountDialog()
  await d.getByLabel('Name').fill(name)
  await d.getByLabel('Type').selectOption(type)
  await d.getByLabel('Currency').selectOption(currency)
  if (opening) await d.getByLabel('Opening balance').fill(opening)
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByTestId('account-name').getByText(name, { exact: true })).toBeVisible()
}

async function newTransaction(kind: 'Income' | 'Expense' | 'Transfer' | 'Journal') {
  await page.getByRole('button', { name: kind, exact: true }).click()
  const d = page.getByRole('dialog')
  await expect(d.getByRole('tab', { name: kind, selected: true })).toBeVisible()
  return d
}

async function balanceOf(account: string) {
  await nav('Reports')
  const row = page.getByTestId('balance-row').filter({ has: page.getByRole('cell', { name: account, exact: true }) })
  return row.getByRole('cell').nth(5)
}

test('register and sign in', async () => {
  await page.goto('/register')
  await shot(page, '01-register')
  await page.getByLabel('Name (optional)').fill('Alice Admin')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByLabel('Repeat password').fill(password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await expect(page.getByText('No asset accounts yet')).toBeVisible()

  // Sign out, then in again.
  await page.getByTestId('user-menu').click()
  await page.getByRole('menuitem', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(/\/login/)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill('wrong password!')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByText('the email or the password is wrong').first()).toBeVisible()
  await shot(page, '02-sign-in')
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()

  // The session survives a reload (refresh token in localStorage, access token in memory).
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await expect(page.getByTestId('user-menu')).toContainText('Alice Admin')
})

test('create accounts', async () => {
  await nav('Accounts')
  await expect(page.getByText('No accounts match')).toBeVisible()
  // Validation messages come from the Zod schema.
  const d = await openAccountDialog()
  await d.getByLabel('Opening balance').fill('1.234')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d.getByText('Required')).toBeVisible()
  await expect(d.getByText('Too many decimals for this currency')).toBeVisible()
  await d.getByRole('button', { name: 'Cancel' }).click()

  await createAccount('Bank', 'asset', 'USD', '1000')
  await createAccount('Cash', 'asset', 'USD')
  await createAccount('Euro bank', 'asset', 'EUR')
  await createAccount('Sales', 'income', 'USD')
  await createAccount('Rent', 'expense', 'USD')
  await expect(page.getByRole('row').filter({ has: page.getByTestId('account-name').getByText('Bank', { exact: true }) })).toContainText('$1,000.00')
  await shot(page, '03-accounts')
})

test('projects, categories (nested) and counterparties', async () => {
  await nav('Projects')
  await expect(page.getByText('No projects match')).toBeVisible()
  await page.getByRole('button', { name: 'New project' }).click()
  let d = page.getByRole('dialog')
  await d.getByLabel('Name').fill('Website')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByRole('cell', { name: 'Website', exact: true })).toBeVisible()
  await page.getByRole('button', { name: 'Archive Website' }).click()
  await page.getByLabel('Status').selectOption('archived')
  await expect(page.getByRole('button', { name: 'Restore Website' })).toBeVisible()
  await page.getByRole('button', { name: 'Restore Website' }).click()
  await page.getByLabel('Status').selectOption('active')
  await expect(page.getByRole('cell', { name: 'Website', exact: true })).toBeVisible()

  await nav('Categories')
  for (const [name, parent] of [['Office', ''], ['Supplies', 'Office']]) {
    await page.getByRole('button', { name: 'New category' }).click()
    d = page.getByRole('dialog')
    await d.getByLabel('Name').fill(name)
    if (parent) await d.getByLabel('Parent').selectOption({ label: parent })
    await d.getByRole('button', { name: 'Save' }).click()
    await expect(d).toBeHidden()
  }
  await expect(page.getByRole('row').filter({ hasText: 'Supplies' })).toContainText('Office')
  await shot(page, '03b-categories')

  await nav('Counterparties')
  await page.getByRole('button', { name: 'New counterparty' }).click()
  d = page.getByRole('dialog')
  await d.getByLabel('Name').first().fill('ACME Corp')
  await d.getByLabel('Website').fill('not a url')
  await d.getByRole('button', { name: 'Add contact' }).click()
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d.getByText('Enter a URL starting with http:// or https://')).toBeVisible()
  await d.getByLabel('Website').fill('https://acme.example')
  await d.getByLabel('Name').nth(1).fill('Wile E.')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByRole('row').filter({ hasText: 'ACME Corp' })).toContainText('Wile E.')
})

test('post income, expense, transfer and a balanced journal; an unbalanced one is refused', async () => {
  await nav('Transactions')
  await expect(page.getByTestId('tx-row').filter({ hasText: 'Opening balance' })).toBeVisible()

  let d = await newTransaction('Income')
  await d.getByLabel('Received into').selectOption({ label: 'Bank (USD)' })
  await d.getByLabel('Income account').selectOption({ label: 'Sales (USD)' })
  await d.getByLabel('Amount').fill('250.00')
  await d.getByLabel('Description').fill('Invoice 42')
  await d.getByRole('button', { name: 'Post' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByTestId('tx-row').filter({ hasText: 'Invoice 42' })).toBeVisible()

  d = await newTransaction('Expense')
  await d.getByLabel('Paid from').selectOption({ label: 'Bank (USD)' })
  await d.getByLabel('Expense account').selectOption({ label: 'Rent (USD)' })
  await d.getByLabel('Amount').fill('100')
  await d.getByLabel('Description').fill('Office rent')
  await d.getByRole('button', { name: 'Post' }).click()
  await expect(d).toBeHidden()

  d = await newTransaction('Transfer')
  await d.getByLabel('From').selectOption({ label: 'Bank (USD)' })
  await d.getByLabel('To', { exact: true }).selectOption({ label: 'Cash (USD)' })
  await d.getByLabel(/^Amount/).fill('50')
  await d.getByLabel('Description').fill('Petty cash')
  await d.getByRole('button', { name: 'Post' }).click()
  await expect(d).toBeHidden()

  // Across currencies, with a rate: 100 USD at 0.9 = 90 EUR.
  d = await newTransaction('Transfer')
  await d.getByLabel('From').selectOption({ label: 'Bank (USD)' })
  await d.getByLabel('To', { exact: true }).selectOption({ label: 'Euro bank (EUR)' })
  await d.getByLabel(/^Amount/).fill('100')
  await d.getByLabel('Rate', { exact: true }).fill('0.9')
  await expect(d.getByText('Receives €90.00')).toBeVisible()
  await d.getByLabel('Description').fill('Buy euros')
  await d.getByRole('button', { name: 'Post' }).click()
  await expect(d).toBeHidden()

  // An unbalanced journal cannot be posted.
  d = await newTransaction('Journal')
  await d.getByLabel('Description').fill('Unbalanced')
  await d.getByLabel('Entry 1 account').selectOption({ label: 'Cash (USD)' })
  await d.getByLabel('Entry 1 amount').fill('-10')
  await d.getByLabel('Entry 2 account').selectOption({ label: 'Rent (USD)' })
  await d.getByLabel('Entry 2 amount').fill('9.99')
  await expect(d.getByTestId('imbalance')).toContainText('Out of balance')
  await expect(d.getByTestId('residual-USD')).toHaveText('-$0.01')
  await expect(d.getByRole('button', { name: 'Post' })).toBeDisabled()
  await d.getByLabel('Entry 2 amount').press('Enter')
  await expect(d).toBeVisible()
  await shot(page, '04-journal-unbalanced')

  // Fixing it makes it balance and post.
  await d.getByLabel('Entry 2 amount').fill('10')
  await expect(d.getByTestId('imbalance')).toContainText('Balanced')
  await d.getByLabel('Description').fill('Cleaning supplies')
  await d.getByRole('button', { name: 'Post' }).click()
  await expect(d).toBeHidden()

  await expect(page.getByTestId('tx-row')).toHaveCount(6)
  await shot(page, '05-transactions')
})

test('balances and dashboard update', async () => {
  // Bank: 1000 + 250 - 100 - 50 - 100 = 1000; Cash: 50 - 10 = 40; Euro bank: 90.
  await expect(await balanceOf('Bank')).toHaveText('$1,000.00')
  await expect(await balanceOf('Cash')).toHaveText('$40.00')
  await expect(await balanceOf('Euro bank')).toHaveText('€90.00')
  await shot(page, '06-balances')
  await page.getByRole('tab', { name: 'Trial balance' }).click()
  await expect(page.getByTestId('trial-conversion').first()).toContainText('Currency conversions')
  await shot(page, '07-trial-balance')

  // The dashboard values the euro account in dollars: without a EUR rate the server says so,
  // and the dashboard links to where one is entered.
  await nav('Dashboard')
  const missing = page.getByTestId('dashboard-missing-rate')
  await expect(missing).toContainText('An exchange rate is missing')
  await expect(missing).toContainText('EUR')
  await missing.getByRole('link', { name: 'Enter the rate' }).click()
  await expect(page).toHaveURL(/\/rates$/)
  const form = page.getByRole('form', { name: 'Add a rate' })
  await form.getByLabel('Base').selectOption('EUR')
  await form.getByLabel('Quote').selectOption('USD')
  await form.getByLabel('Rate').fill('1.1')
  await form.getByLabel('Date').fill(new Date().toISOString().slice(0, 10))
  await form.getByRole('button', { name: 'Save rate' }).click()
  await expect(page.getByText('Rate saved')).toBeVisible()

  // Cash: 1000 + 40 + 90 EUR at 1.1 = 1139; this month: income 250, expenses 100 + 10, profit 140.
  await nav('Dashboard')
  await expect(page.getByTestId('dashboard-cash-total')).toHaveText('$1,139.00')
  await expect(page.getByTestId('dashboard-cash-row').filter({ hasText: 'Euro bank' })).toContainText('€90.00')
  await expect(page.getByTestId('dashboard-cash-row').filter({ hasText: 'Euro bank' })).toContainText('$99.00')
  await expect(page.getByTestId('dashboard-rates')).toContainText('1 EUR = 1.1 USD')
  await expect(page.getByTestId('month-income')).toContainText('$250.00')
  await expect(page.getByTestId('month-expenses')).toContainText('$110.00')
  await expect(page.getByTestId('month-profit')).toContainText('$140.00')
  // Nothing last month: the change is the whole figure.
  await expect(page.getByTestId('change-income')).toHaveText('+$250.00')
  await expect(page.getByTestId('dashboard-month-chart').locator('.recharts-bar-rectangle').first()).toBeVisible()
  await expect(page.getByTestId('receivables-open')).toHaveText('$0.00')
  await expect(page.getByTestId('dashboard-overdue')).toContainText('Nothing is overdue')
  await expect(page.getByTestId('dashboard-project-row').first()).toContainText('No project')
  await shot(page, '08-dashboard')
})

test('reverse a transaction', async () => {
  await nav('Transactions')
  await page.getByRole('button', { name: 'Reverse Office rent' }).click()
  const d = page.getByRole('dialog')
  await d.getByRole('button', { name: 'Reverse' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByTestId('tx-row').filter({ hasText: 'Office rent' }).filter({ hasText: 'Expense' })).toContainText('reversed')
  await expect(page.getByTestId('tx-row').filter({ hasText: 'Reversal of: Office rent' })).toBeVisible()
  await expect(page.getByTestId('tx-row')).toHaveCount(7)

  // Read-your-writes: the very next reads include the reversal.
  await expect(await balanceOf('Bank')).toHaveText('$1,100.00')
  await nav('Dashboard')
  await expect(page.getByTestId('dashboard-cash-total')).toHaveText('$1,239.00')
  await expect(page.getByTestId('month-expenses')).toContainText('$10.00')
  await expect(page.getByTestId('month-profit')).toContainText('$240.00')
})

test('other screens render', async () => {
  await nav('Periods')
  await expect(page.getByTestId('closed-through')).toHaveText('Nothing closed yet')
  await shot(page, '09-periods')
  await nav('Audit')
  await expect(page.getByTestId('audit-head')).toBeVisible()
  await expect(page.getByTestId('audit-event').first()).toBeVisible()
  await shot(page, '10-audit')
  await nav('Users')
  await expect(page.getByRole('cell', { name: email })).toBeVisible()
  await shot(page, '11-users')
  // Russian UI: strings and number formats switch.
  await page.getByLabel('Language').first().selectOption('ru')
  await nav('Сводка')
  await expect(page.getByTestId('dashboard-cash-total')).toHaveText(/1\s239,00\s\$/)
  await expect(page.getByTestId('month-income')).toContainText('Доходы')
  await shot(page, '12-dashboard-ru')
  await page.getByLabel('Язык').first().selectOption('en')
})

test('edit a transaction: the original is reversed and replaced', async () => {
  await nav('Transactions')
  await expect(page.getByTestId('tx-row')).toHaveCount(7)
  await page.getByRole('button', { name: 'Edit Invoice 42' }).click()
  const d = page.getByRole('dialog')
  await expect(d.getByRole('heading', { name: 'Edit transaction' })).toBeVisible()
  await expect(d.getByRole('tab', { name: 'Income', selected: true })).toBeVisible()
  await expect(d.getByLabel('Amount')).toHaveValue(/^250(\.00)?$/)
  await d.getByLabel('Amount').fill('300')
  await d.getByRole('button', { name: 'Post' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByText('Transaction replaced').first()).toBeVisible()

  // Original (reversed + replaced), its reversal, and the replacement.
  await expect(page.getByTestId('tx-row')).toHaveCount(9)
  const original = page.getByTestId('tx-row').filter({ hasText: 'Invoice 42' }).filter({ hasText: 'replaced' })
  await expect(original).toContainText('reversed')
  await expect(original).toContainText('$250.00')
  await expect(page.getByTestId('tx-row').filter({ hasText: 'Reversal of: Invoice 42' })).toContainText('$250.00')
  const replacement = page.getByTestId('tx-row').filter({ has: page.getByRole('button', { name: 'Edit Invoice 42' }) })
  await expect(replacement).toHaveCount(1)
  await expect(replacement).toContainText('$300.00')
  await shot(page, '13-edited-transaction')

  // Bank: 1100 - 250 + 300 = 1150.
  await expect(await balanceOf('Bank')).toHaveText('$1,150.00')
})

test('change a user role', async ({ request }) => {
  const other = `viewer-${Date.now()}@example.com`
  // Users join by invitation (the ledger is invite-only by default).
  const res = await registerInvited(request, { email: other, name: 'Victor Viewer', password }, 'viewer')
  expect(res.status()).toBe(201)

  await nav('Users')
  const role = page.getByLabel(`Role of ${other}`)
  await expect(role).toHaveValue('viewer')
  await role.selectOption('accountant')
  await expect(page.getByText('Role changed').first()).toBeVisible()
  await expect(role).toHaveValue('accountant')

  // It sticks: after a reload the table still shows the new role.
  await page.reload()
  await nav('Users')
  await expect(page.getByLabel(`Role of ${other}`)).toHaveValue('accountant')
  await expect(page.getByLabel(`Role of ${other}`).locator('option:checked')).toHaveText('Accountant')
  await shot(page, '14-user-role')
})

test('close a past month; posting into it is refused', async () => {
  // The month before the current one (UTC): every posting so far is dated today.
  const now = new Date()
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
  const month = `${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, '0')}`
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0))
  const shown = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(lastDay)

  await nav('Periods')
  await expect(page.getByTestId('closed-through')).toHaveText('Nothing closed yet')
  await page.getByLabel('Month', { exact: true }).fill(month)
  await page.getByRole('button', { name: 'Close month' }).click()
  await expect(page.getByTestId('closed-through')).toHaveText(shown)
  await shot(page, '15-period-closed')

  await nav('Transactions')
  await expect(page.getByTestId('tx-row')).toHaveCount(9)
  const d = await newTransaction('Expense')
  await d.getByLabel('Date', { exact: true }).fill(`${month}-15`)
  await d.getByLabel('Paid from').selectOption({ label: 'Bank (USD)' })
  await d.getByLabel('Expense account').selectOption({ label: 'Rent (USD)' })
  await d.getByLabel('Amount').fill('5')
  await d.getByLabel('Description').fill('Backdated')
  await d.getByRole('button', { name: 'Post' }).click()
  await expect(page.getByText(/the period up to .* is closed; date .* cannot take postings/).first()).toBeVisible()
  await expect(d).toBeVisible()
  await shot(page, '16-period-closed-refused')
  await d.getByRole('button', { name: 'Cancel' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByTestId('tx-row')).toHaveCount(9)
  await expect(page.getByTestId('tx-row').filter({ hasText: 'Backdated' })).toHaveCount(0)
})
