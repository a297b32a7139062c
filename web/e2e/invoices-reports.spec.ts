import { expect, test, type APIRequestContext, type Page } from './fixtures'

import { ADMIN, signInAsAdmin } from './admin'

/**
 * Invoices and the accounting reports through the real server. The API seeds the accounts and
 * the customer; the UI drafts an invoice with two lines (totals rounded to the currency), issues
 * it, records a partial payment in another currency with its rate, sees "partially paid" and
 * the ageing view; applies a wire posted earlier (found by searching the customer's transactions)
 * as a second payment; then opens the P&L, drills into the income figure and regroups it; last,
 * pages through an ageing view of thirteen customers.
 */
test.describe.configure({ mode: 'serial' })

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true })
let page: Page
const nav = (name: string) => page.getByRole('navigation', { name: /navigation|навигация/i }).getByRole('link', { name, exact: true }).click()

const TODAY = new Date().toISOString().slice(0, 10)
let token = ''
const ids: Record<string, string> = {}
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
  ids.receivables = (await post(request, '/api/accounts', { name: 'Receivables', type: 'asset', kind: 'other', currency: 'USD' })).id
  ids.sales = (await post(request, '/api/accounts', { name: 'Consulting sales', type: 'income', kind: 'other', currency: 'USD' })).id
  await post(request, '/api/accounts', { name: 'Euro bank', type: 'asset', kind: 'bank', currency: 'EUR' })
  await post(request, '/api/accounts', { name: 'Office costs', type: 'expense', kind: 'other', currency: 'EUR' })
  ids.bank = (await post(request, '/api/accounts', { name: 'Dollar bank', type: 'asset', kind: 'bank', currency: 'USD' })).id
  ids.acme = (await post(request, '/api/counterparties', { name: 'Acme Corp', kind: 'customer' })).id
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

test('apply an already posted wire to the invoice as a payment, found by searching the customer’s transactions', async ({ request }) => {
  // Two wires from Acme booked straight against receivables (as a bank import would).
  const wire = (description: string, amount: string) =>
    post(request, '/api/transactions', {
      date: TODAY,
      description,
      counterparty_id: ids.acme,
      entries: [
        { account_id: ids.bank, amount },
        { account_id: ids.receivables, amount: `-${amount}` },
      ],
    })
  await wire('Acme wire March', '40.00')
  await wire('Acme wire April', '25.00')
  await nav('Invoices')
  await page.getByTestId('invoice-link').first().click()
  await expect(page.getByTestId('invoice-status')).toHaveText('Partially paid')

  await page.getByRole('button', { name: 'Record payment' }).click()
  const pay = page.getByRole('dialog')
  await pay.getByRole('radio', { name: 'Apply an existing transaction' }).click()
  await expect(pay.getByLabel('Paid through')).toHaveCount(0)
  const candidates = pay.getByTestId('payment-candidate')
  // Acme's postings on receivables, the invoice's own issue posting left out; the first payment's
  // posting is there but already applied.
  await expect(candidates).toHaveCount(3)
  const first = candidates.filter({ hasText: 'Payment of invoice' })
  await expect(first).toContainText('Already applied to this invoice')
  await expect(first.getByRole('radio')).toBeDisabled()
  await pay.getByLabel('Search transactions by description').fill('april')
  await expect(candidates).toHaveCount(1)
  await expect(candidates).toContainText('Acme wire April')
  await expect(candidates).toContainText('$25.00')
  await pay.getByRole('button', { name: 'Apply transaction' }).click()
  await expect(pay.getByText('Choose the transaction that paid the invoice')).toBeVisible()
  await candidates.getByRole('radio').check()
  await shot(page, 'invoice-apply-transaction')
  await pay.getByRole('button', { name: 'Apply transaction' }).click()
  await expect(pay).toBeHidden()

  // 240.01 − 25.00: still partly paid, the wire listed as the second payment.
  await expect(page.getByTestId('invoice-status')).toHaveText('Partially paid')
  await expect(page.getByTestId('invoice-payment')).toHaveCount(2)
  await expect(page.getByTestId('invoice-payment').filter({ hasText: '$25.00' })).toHaveCount(1)
  await expect(page.getByText('$215.01').first()).toBeVisible()

  // Applied once: offered again only as "already applied".
  await page.getByRole('button', { name: 'Record payment' }).click()
  await page.getByRole('dialog').getByRole('radio', { name: 'Apply an existing transaction' }).click()
  const again = page.getByRole('dialog').getByTestId('payment-candidate').filter({ hasText: 'Acme wire April' })
  await expect(again).toContainText('Already applied to this invoice')
  await expect(again.getByRole('radio')).toBeDisabled()
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
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

  // Regrouped by counterparty, then by account: kept in the URL, drill-down still there.
  await expect(page.getByTestId('pnl-group-header')).toHaveText('Month · Category')
  await page.getByLabel('Group by').selectOption('counterparty')
  await page.getByLabel('Then by').selectOption('')
  await expect(page).toHaveURL(/report=pnl/)
  await expect(page).toHaveURL(/group_by=counterparty(&|$)/)
  await expect(page.getByTestId('pnl-group-header')).toHaveText('Counterparty')
  await expect(row).toHaveCount(1)
  await expect(row.getByRole('cell').first()).toHaveText('Acme Corp')
  await page.getByLabel('Then by').selectOption('account')
  await expect(page).toHaveURL(/group_by=counterparty%2Caccount|group_by=counterparty,account/)
  await expect(page.getByTestId('pnl-group-header')).toHaveText('Counterparty · Account')
  await expect(row.getByRole('cell').first()).toHaveText('Acme Corp · Consulting sales')
  await expect(row).toContainText('$350.01')
  await expect(page.getByTestId('pnl-profit')).toHaveText('$350.01')
  await shot(page, 'report-pnl-grouped')
  await page.reload()
  await expect(page.getByRole('tab', { name: 'Profit and loss' })).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByLabel('Group by')).toHaveValue('counterparty')
  await expect(page.getByLabel('Then by')).toHaveValue('account')
  await expect(row.getByRole('cell').first()).toHaveText('Acme Corp · Consulting sales')
  await row.getByTestId('drill-figure').first().click()
  const d2 = page.getByRole('dialog')
  await expect(d2.getByRole('heading', { name: 'Income: Acme Corp · Consulting sales' })).toBeVisible()
  await expect(d2.getByTestId('drill-row')).toHaveCount(1)
  await expect(d2.getByTestId('drill-sum')).toContainText('350.01')
  await d2.getByRole('button', { name: 'Close' }).first().click()
  // Back to the default grouping: the parameter leaves the URL.
  await page.getByLabel('Group by').selectOption('month')
  await page.getByLabel('Then by').selectOption('category')
  await expect(page).not.toHaveURL(/group_by=/)
  await expect(page.getByTestId('pnl-group-header')).toHaveText('Month · Category')

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

  // The P&L of the month says what the adjustment contributes (10 EUR at today's 1.12) and
  // drills into it.
  await nav('Reports')
  await page.getByRole('tab', { name: 'Profit and loss' }).click()
  const adj = page.getByTestId('pnl-adjustments')
  await expect(adj).toContainText('Of which adjustments of closed months')
  await expect(adj).toContainText('$11.20')
  await adj.getByTestId('drill-figure').nth(1).click()
  const dd = page.getByRole('dialog')
  await expect(dd.getByTestId('drill-row')).toHaveCount(1)
  await expect(dd.getByTestId('drill-row')).toContainText('Forgotten bank fee')
  await expect(dd.getByTestId('drill-sum')).toContainText('11.20')
  await shot(page, 'report-pnl-adjustments')
  await dd.getByRole('button', { name: 'Close' }).first().click()
})

test('the ageing view pages through thirteen customers, largest total first, totals over every page', async ({ request }) => {
  // Twelve more customers, each with an issued invoice of 1,000 + n dollars.
  for (let n = 1; n <= 12; n++) {
    const name = `Client ${String(n).padStart(2, '0')}`
    const cp = await post(request, '/api/counterparties', { name, kind: 'customer' })
    const inv = await post(request, '/api/invoices', {
      counterparty_id: cp.id,
      // Required by the server, though the OpenAPI document leaves it optional.
      direction: 'receivable',
      currency: 'USD',
      issue_date: TODAY,
      due_date: TODAY,
      lines: [{ description: 'Retainer', quantity: '1', unit_price: String(1000 + n) }],
    })
    await post(request, `/api/invoices/${inv.id}/issue`, { control_account_id: ids.receivables, account_id: ids.sales })
  }
  await nav('Invoices')
  await page.getByRole('link', { name: 'Ageing' }).click()
  const rows = page.getByTestId('aging-row')
  await expect(rows).toHaveCount(13)
  await expect(page.getByTestId('pagination-range')).toHaveText('1–13 of 13')
  await page.getByLabel('Rows').selectOption('10')
  await expect(rows).toHaveCount(10)
  await expect(rows.first()).toContainText('Client 12')
  await expect(rows.first()).toContainText('$1,012.00')
  await expect(rows.last()).toContainText('Client 03')
  await expect(page.getByTestId('pagination-range')).toHaveText('1–10 of 13')
  await expect(page.getByText('Page 1 of 2')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Previous page' })).toBeDisabled()
  // 1,001 + … + 1,012 = 12,078.00, and Acme's 215.01: the footer totals every page.
  await expect(page.getByRole('row', { name: /Total USD/ })).toContainText('$12,293.01')

  await page.getByRole('button', { name: 'Next page' }).click()
  await expect(page.getByText('Page 2 of 2')).toBeVisible()
  await expect(page.getByTestId('pagination-range')).toHaveText('11–13 of 13')
  await expect(rows).toHaveCount(3)
  await expect(rows.nth(0)).toContainText('Client 02')
  await expect(rows.nth(1)).toContainText('Client 01')
  await expect(rows.nth(2)).toContainText('Acme Corp')
  await expect(rows.nth(2)).toContainText('$215.01')
  await expect(page.getByRole('row', { name: /Total USD/ })).toContainText('$12,293.01')
  await expect(page.getByRole('button', { name: 'Next page' })).toBeDisabled()
  await shot(page, 'invoice-aging-paged')

  // Another direction starts on its first page.
  await page.getByRole('radio', { name: 'Payable' }).click()
  await expect(page.getByText('Nothing is owed')).toBeVisible()
  await page.getByRole('radio', { name: 'Receivable' }).click()
  await expect(page.getByText('Page 1 of 2')).toBeVisible()
})
