import { expect, test, type APIRequestContext, type Page } from '@playwright/test'

import { ADMIN, signInAsAdmin } from './admin'

/**
 * Invoices and the accounting reports through the real server. The API seeds the accounts and
 * the customer; the UI drafts an invoice with two lines (totals rounded to the currency), issues
 * it, records a partial payment in another currency with its rate, sees "partially paid" and
 * the ageing view; then opens the P&L and drills into the income figure.
 */
test.describe.configure({ mode: 'serial' })

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true })
let page: Page
const nav = (name: string) => page.getByRole('navigation', { name: /navigation|навигация/i }).getByRole('link', { name, exact: true }).click()

const TODAY = new Date().toISOString().slice(0, 10)
let token = ''
async function post(request: APIRequestContext, path: string, data: unknown) {
  const res = await request.post(path, { data, headers: { Authorization: `Bearer ${token}` } })
  if (!res.ok()) throw new Error(`${path}: ${res.status()} ${await res.text()}`)
  return (await res.json()) as { id: string }
}

test.beforeAll(async ({ browser, request }) => {
  page = await browser.newPage()
  await signInAsAdmin(page, request)
  const login = await request.post('/api/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } })
  token = ((await login.json()) as { access_token: string }).access_token
  await post(request, '/api/accounts', { name: 'Receivables', type: 'asset', kind: 'other', currency: 'USD' })
  await post(request, '/api/accounts', { name: 'Consulting sales', type: 'income', kind: 'other', currency: 'USD' })
  await post(request, '/api/accounts', { name: 'Euro bank', type: 'asset', kind: 'bank', currency: 'EUR' })
  await post(request, '/api/accounts', { name: 'Office costs', type: 'expense', kind: 'other', currency: 'EUR' })
  await post(request, '/api/counterparties', { name: 'Acme Corp', kind: 'customer' })
  // The books' rate today: the balance sheet values the euros at it (unrealised gain on 1.1).
  await post(request, '/api/rates', { date: TODAY, base: 'EUR', quote: 'USD', rate: '1.12' })
})

test.afterAll(async () => {
  await page.close()
})

test('draft, issue and partly pay an invoice across currencies, then see it in the ageing view', async () => {
  await nav('Invoices')
  await expect(page.getByRole('heading', { name: 'Invoices' })).toBeVisible()
  await expect(page.getByText('No invoices')).toBeVisible()

  await page.getByRole('button', { name: 'New invoice' }).click()
  const d = page.getByRole('dialog')
  await d.getByLabel('Counterparty').selectOption({ label: 'Acme Corp' })
  await d.getByLabel('Description 1').fill('Consulting')
  await d.getByLabel('Quantity 1').fill('3')
  await d.getByLabel('Unit price 1').fill('abc')
  await d.getByRole('button', { name: 'Create' }).click()
  await expect(d.getByText('Enter a number')).toBeVisible()
  // 3 × 100.005 = 300.015, half-even to the cent: 300.02.
  await d.getByLabel('Unit price 1').fill('100.005')
  await expect(d.getByTestId('line-amount').first()).toHaveText('$300.02')
  await d.getByRole('button', { name: 'Add line' }).click()
  await d.getByLabel('Description 2').fill('Hosting')
  await d.getByLabel('Unit price 2').fill('49.99')
  await expect(d.getByTestId('invoice-total')).toHaveText('$350.01')
  await shot(page, 'invoice-form')
  await d.getByRole('button', { name: 'Create' }).click()
  await expect(d).toBeHidden()

  // The draft's page: issue it against receivables and the income account.
  await expect(page.getByRole('heading', { name: 'Draft' })).toBeVisible()
  await page.getByRole('button', { name: 'Issue', exact: true }).click()
  const issue = page.getByRole('dialog')
  await issue.getByLabel('Accounts receivable').selectOption({ label: 'Receivables (USD)' })
  await issue.getByLabel('Income account').selectOption({ label: 'Consulting sales (USD)' })
  await issue.getByRole('button', { name: 'Issue', exact: true }).click()
  await expect(issue).toBeHidden()
  await expect(page.getByRole('heading', { name: /^INV-/ })).toBeVisible()
  await expect(page.getByTestId('invoice-status')).toHaveText('Issued')

  // 100 EUR at 1.1 USD per EUR settles 110.00 of it.
  await page.getByRole('button', { name: 'Record payment' }).click()
  const pay = page.getByRole('dialog')
  await pay.getByLabel('Paid through').selectOption({ label: 'Euro bank (EUR)' })
  await pay.getByLabel('Amount (EUR)').fill('100')
  await pay.getByRole('button', { name: 'Record payment' }).click()
  await expect(pay.getByText('Enter the exchange rate')).toBeVisible()
  await pay.getByLabel('Rate: USD per 1 EUR').fill('1.1')
  await shot(page, 'invoice-payment')
  await pay.getByRole('button', { name: 'Record payment' }).click()
  await expect(pay).toBeHidden()
  await expect(page.getByTestId('invoice-status')).toHaveText('Partially paid')
  const row = page.getByTestId('invoice-payment')
  await expect(row).toContainText('€100.00')
  await expect(row).toContainText('$110.00')
  await expect(page.getByText('$240.01').first()).toBeVisible()
  await expect(page.getByTestId('invoice-posting').first()).toBeVisible()
  await shot(page, 'invoice-detail')

  // The list shows the status; the ageing view has it in the current bucket.
  await nav('Invoices')
  await expect(page.getByTestId('invoices-table').getByTestId('invoice-status')).toHaveText('Partially paid')
  await page.getByRole('link', { name: 'Ageing' }).click()
  await expect(page.getByRole('heading', { name: 'Ageing' })).toBeVisible()
  const aging = page.getByTestId('aging-row')
  await expect(aging).toHaveCount(1)
  await expect(aging).toContainText('Acme Corp')
  await expect(aging).toContainText('$240.01')
  await expect(page.getByTestId('aging-chart')).toBeVisible()
  await shot(page, 'invoice-aging')
  await page.getByRole('radio', { name: 'Payable' }).click()
  await expect(page.getByText('Nothing is owed')).toBeVisible()
})

test('the P&L shows the invoiced income and drills into its postings', async () => {
  await nav('Reports')
  await page.getByRole('tab', { name: 'Profit and loss' }).click()
  const row = page.getByTestId('pnl-row')
  await expect(row).toHaveCount(1)
  await expect(row).toContainText('$350.01')
  await expect(page.getByTestId('pnl-profit')).toHaveText('$350.01')
  await expect(page.getByTestId('pnl-chart')).toBeVisible()
  await shot(page, 'report-pnl')
  await row.getByTestId('drill-figure').first().click()
  const d = page.getByRole('dialog')
  await expect(d.getByRole('heading', { name: /^Income/ })).toBeVisible()
  await expect(d.getByTestId('drill-row')).toHaveCount(1)
  await expect(d.getByTestId('drill-sum')).toContainText('350.01')
  await shot(page, 'report-pnl-drill')
  await d.getByRole('button', { name: 'Close' }).first().click()

  await page.getByRole('tab', { name: 'Balance sheet' }).click()
  await expect(page.getByTestId('sheet-balanced')).toContainText('Balanced')
  await expect(page.getByText('Unrealised exchange differences')).toBeVisible()
  await expect(page.getByTestId('rates-used')).toContainText('EUR')
  await shot(page, 'report-balance-sheet')
})

test('a posting into a closed month is refused with the hint; as an adjustment it posts and is badged', async ({ request }) => {
  // Close every month through the one before last; the posting then belongs to a closed month.
  const closed = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 2, 10)).toISOString().slice(0, 10)
  await post(request, '/api/periods/close', { through: closed })
  await nav('Transactions')
  await page.getByRole('button', { name: 'Expense', exact: true }).click()
  const d = page.getByRole('dialog')
  await d.getByLabel('Paid from').selectOption({ label: 'Euro bank (EUR)' })
  await d.getByLabel('Expense account').selectOption({ label: 'Office costs (EUR)' })
  await d.getByLabel('Amount').fill('10')
  await d.getByLabel('Description').fill('Forgotten bank fee')
  await d.getByLabel('Date').fill(closed)
  await d.getByRole('button', { name: 'Post' }).click()
  await expect(d.getByText('Adjusts closed month', { exact: false }).first()).toBeVisible()
  await expect(d.getByRole('alert').filter({ hasText: 'fill in “Adjusts closed month”' }).first()).toBeVisible()
  await shot(page, 'adjustment-refused')
  await d.getByLabel('Date').fill(TODAY)
  await d.getByLabel('Adjusts closed month').fill(closed)
  // Enter submits: the refusal's toast may still lie over the dialog's buttons.
  await d.getByLabel('Description').press('Enter')
  await expect(d).toBeHidden()
  const row = page.getByTestId('tx-row').filter({ hasText: 'Forgotten bank fee' })
  await expect(row.getByTestId('adjustment-badge')).toHaveText('Adjustment')
  await page.getByLabel('Adjustments').selectOption('true')
  await expect(page.getByTestId('tx-row')).toHaveCount(1)
  await shot(page, 'adjustment-list')
})
