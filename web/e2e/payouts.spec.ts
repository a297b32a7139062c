import { expect, test, type APIRequestContext, type Page } from './fixtures'

import { ADMIN, signInAsAdmin } from './admin'

/**
 * Payouts, exchange rates and profitability through the real server. The API seeds a program
 * with a CPA offer, a campaign with a tracker key and a Keitaro conversion log of October 2026,
 * and the accounts; the UI computes the October payout, approves it, marks it paid and finds its
 * postings (issue: "approve a payout and find its posting"), then enters a rate and converts.
 */
test.describe.configure({ mode: 'serial' })

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true })
let page: Page
const nav = (name: string) => page.getByRole('navigation', { name: /navigation|навигация/i }).getByRole('link', { name, exact: true }).click()

const LOG_HEADER = 'conversion_id;sub_id;campaign_id;campaign;offer;status;revenue;click_datetime;postback_datetime;country'
const SALES = 4
const PAYOUT = '3.25'
const TOTAL = '$13.00'
const HASH = 'ab'.repeat(32)
// Postings are dated today: ledger.spec closes last month, which may hold October 2026.
const TODAY = new Date().toISOString().slice(0, 10)
const TODAY_SHOWN = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date())

let token = ''
async function post(request: APIRequestContext, path: string, data: unknown) {
  const res = await request.post(path, { data, headers: { Authorization: `Bearer ${token}` } })
  if (!res.ok()) throw new Error(`${path}: ${res.status()} ${await res.text()}`)
  return (await res.json()) as { id: string; position?: number }
}

test.beforeAll(async ({ browser, request }) => {
  page = await browser.newPage()
  await signInAsAdmin(page, request)
  const login = await request.post('/api/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } })
  token = ((await login.json()) as { access_token: string }).access_token

  const cp = await post(request, '/api/counterparties', { name: 'PayNet Ltd', kind: 'affiliate_program' })
  const program = await post(request, '/api/traffic/programs', { name: 'PayNet', counterparty_id: cp.id, currency: 'USD' })
  const offer = await post(request, '/api/traffic/offers', { name: 'PayNet CPA', program_id: program.id, payout_model: 'cpa', payout: PAYOUT, currency: 'USD' })
  const project = await post(request, '/api/projects', { name: 'Casino' })
  const source = await post(request, '/api/traffic/sources', { name: 'PushHouse', kind: 'push', currency: 'USD' })
  await post(request, '/api/traffic/campaigns', {
    name: 'Casino DE push',
    source_id: source.id,
    offer_id: offer.id,
    project_id: project.id,
    status: 'active',
    source_keys: ['ph-casino-de'],
    tracker_keys: ['901'],
  })
  await post(request, '/api/accounts', { name: 'PayNet receivable', type: 'asset', kind: 'other', currency: 'USD' })
  await post(request, '/api/accounts', { name: 'Affiliate revenue', type: 'income', kind: 'other', currency: 'USD' })
  await post(request, '/api/accounts', { name: 'Bank USD', type: 'asset', kind: 'bank', currency: 'USD' })
  await post(request, '/api/categories', { name: 'Affiliate income', kind: 'income' })

  // Keitaro's conversion log: four sales and a lead (not paid) in October 2026.
  const rows = [LOG_HEADER]
  for (let i = 1; i <= SALES; i++) rows.push(`e2e-${i};s${i};901;Casino DE push;PayNet CPA;sale;0;2026-10-0${i} 10:00:00;2026-10-0${i} 12:00:00;DE`)
  rows.push('e2e-lead;s9;901;Casino DE push;PayNet CPA;lead;0;2026-10-09 10:00:00;2026-10-09 12:00:00;DE')
  const up = await request.post('/api/traffic/imports', {
    headers: { Authorization: `Bearer ${token}` },
    multipart: { currency: 'USD', file: { name: 'keitaro-october.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n') + '\n') } },
  })
  expect(up.status(), await up.text()).toBe(202)
  const id = ((await up.json()) as { id: string }).id
  let imp: { state: string; position?: number | null; kind?: string | null } = { state: 'queued' }
  for (let i = 0; i < 600 && ['queued', 'running'].includes(imp.state); i++) {
    await new Promise((r) => setTimeout(r, 100))
    imp = await (await request.get(`/api/traffic/imports/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json()
  }
  expect(imp.state).toBe('done')
  expect(imp.kind).toBe('conversions')
  // The read side holds the conversions once it reached the import's position.
  if (imp.position) await request.get(`/api/traffic/payouts?min_position=${imp.position}`, { headers: { Authorization: `Bearer ${token}` } })
})

test.afterAll(async () => {
  await page.close()
})

test('compute the October payout', async () => {
  await nav('Payouts')
  await expect(page.getByRole('heading', { name: 'Payouts' })).toBeVisible()
  await expect(page.getByText('No payouts match')).toBeVisible()
  await page.getByRole('button', { name: 'New payout' }).click()
  const d = page.getByRole('dialog')
  await d.getByRole('button', { name: 'Compute' }).click()
  await expect(d.getByText('Required')).toBeVisible()
  await d.getByLabel('Program').selectOption({ label: 'PayNet · USD' })
  // September has no approved conversions: the server says so.
  await d.getByLabel('From').fill('2026-09-01')
  await d.getByLabel('To').fill('2026-09-30')
  await d.getByRole('button', { name: 'Compute' }).click()
  await expect(d.getByTestId('payout-problem')).toContainText('no approved conversions')
  await d.getByLabel('From').fill('2026-10-01')
  await d.getByLabel('To').fill('2026-10-31')
  await shot(page, '30-payout-new')
  await d.getByRole('button', { name: 'Compute' }).click()
  await expect(d).toBeHidden()

  await expect(page.getByRole('heading', { name: 'Payout: PayNet, Oct 1, 2026 – Oct 31, 2026' })).toBeVisible()
  await expect(page.getByTestId('payout-status')).toHaveText('Draft')
  await expect(page.getByTestId('payout-total')).toHaveText(TOTAL)
  const line = page.getByTestId('payout-lines').getByRole('row').filter({ hasText: 'Casino DE push' })
  await expect(line).toContainText('PayNet CPA')
  await expect(line).toContainText('Casino')
  await expect(line).toContainText(String(SALES))
  await expect(line).toContainText(TOTAL)
  await expect(page.getByText('Nothing posted yet')).toBeVisible()
  await shot(page, '31-payout-draft')
})

test('approve it and find its posting', async () => {
  await page.getByRole('button', { name: 'Approve' }).click()
  const d = page.getByRole('dialog')
  // Shown in the app's language (en: MM/DD/YYYY), not the browser's.
  await expect(d.getByLabel('Posting date')).toHaveValue('10/31/2026')
  await d.getByLabel('Posting date').fill(TODAY)
  await d.getByLabel('Receivable account').selectOption({ label: 'PayNet receivable' })
  await d.getByLabel('Revenue account').selectOption({ label: 'Affiliate revenue' })
  await d.getByLabel('Category').selectOption({ label: 'Affiliate income' })
  await shot(page, '32-payout-approve')
  await d.getByRole('button', { name: 'Approve' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByTestId('payout-status')).toHaveText('Approved')
  const postings = page.getByTestId('payout-postings')
  await expect(postings.getByTestId('posting-row')).toHaveCount(1)
  await expect(postings.getByRole('row').filter({ hasText: 'PayNet receivable' })).toContainText(TOTAL)
  await expect(postings.getByRole('row').filter({ hasText: 'Affiliate revenue' })).toContainText(`-${TOTAL}`)
  await shot(page, '33-payout-approved')

  // The transactions list, filtered by the payout: the posting, with its origin badge back.
  await page.getByRole('link', { name: 'View in transactions' }).click()
  await expect(page).toHaveURL(/\/transactions\?origin_id=/)
  await expect(page.getByTestId('origin-filter')).toBeVisible()
  const rows = page.getByTestId('tx-row')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText(TODAY_SHOWN)
  await expect(rows.first().getByTestId('origin-badge')).toHaveText('Payout')
  await shot(page, '34-payout-posting-in-transactions')
  await rows.first().getByRole('link', { name: 'Open the payout this was posted by' }).click()
  await expect(page.getByRole('heading', { name: /^Payout: PayNet/ })).toBeVisible()
})

test('mark it paid with a tx hash', async () => {
  await page.getByRole('button', { name: 'Mark paid' }).click()
  const d = page.getByRole('dialog')
  await d.getByLabel('Received into').selectOption({ label: 'Bank USD · USD' })
  await d.getByLabel('Paid on').fill(TODAY)
  await d.getByLabel('Transaction hash').fill('0xnot-a-hash')
  await d.getByRole('button', { name: 'Mark paid' }).click()
  await expect(d.getByText('A transaction hash is 64 hexadecimal characters')).toBeVisible()
  await d.getByLabel('Transaction hash').fill(HASH)
  await shot(page, '35-payout-pay')
  await d.getByRole('button', { name: 'Mark paid' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByTestId('payout-status')).toHaveText('Paid')
  const timeline = page.getByTestId('payout-timeline')
  await expect(timeline).toContainText(`Paid${TODAY_SHOWN}`)
  await expect(timeline).toContainText(HASH)
  await expect(page.getByTestId('payout-postings').getByTestId('posting-row')).toHaveCount(2)
  await expect(page.getByTestId('payout-postings').getByRole('row').filter({ hasText: 'Bank USD' })).toContainText(TOTAL)
  await shot(page, '36-payout-paid')

  await page.getByRole('link', { name: 'All payouts' }).click()
  await page.getByLabel('Status').selectOption('paid')
  await expect(page.getByTestId('payouts-table').getByRole('row').filter({ hasText: 'PayNet' })).toContainText(TOTAL)
  await page.getByLabel('Status').selectOption('draft')
  await expect(page.getByText('No payouts match')).toBeVisible()
})

test('profitability shows the approved payout; ROI without spend is "—"', async () => {
  await nav('Reports')
  await page.getByRole('tab', { name: 'Profitability' }).click()
  await page.getByLabel('From', { exact: true }).fill('2026-10-01')
  await page.getByLabel('To', { exact: true }).fill('2026-10-31')
  const row = page.getByTestId('profit-table').getByRole('row').filter({ hasText: 'Casino DE push' })
  await expect(row).toContainText(TOTAL)
  await expect(page.getByTestId('profit-total-payouts_approved')).toHaveText(TOTAL)
  // No spend on this campaign: no ROI.
  await expect(row.getByRole('cell').last()).toHaveText('—')
  await expect(page.getByTestId('profit-chart')).toBeVisible()
  await page.getByRole('radio', { name: 'Program' }).click()
  await expect(page.getByTestId('profit-table').getByRole('row').filter({ hasText: 'PayNet' })).toContainText(TOTAL)
  await shot(page, '37-profitability')
})

test('enter a rate and convert with it', async () => {
  await nav('Exchange rates')
  await expect(page.getByRole('heading', { name: 'Exchange rates' })).toBeVisible()
  const form = page.getByRole('form', { name: 'Add a rate' })
  await form.getByLabel('Base').selectOption('EUR')
  await form.getByLabel('Quote').selectOption('EUR')
  await form.getByLabel('Rate').fill('0')
  await form.getByRole('button', { name: 'Save rate' }).click()
  await expect(form.getByText('Choose two different currencies')).toBeVisible()
  await expect(form.getByText('Must be a positive number')).toBeVisible()
  await form.getByLabel('Quote').selectOption('USD')
  await form.getByLabel('Rate').fill('1.0876')
  await form.getByLabel('Date').fill('2026-10-15')
  await form.getByRole('button', { name: 'Save rate' }).click()
  await expect(page.getByText('Rate saved')).toBeVisible()
  await page.getByLabel('Base', { exact: true }).first().selectOption('EUR')
  const table = page.getByTestId('rates-table')
  await expect(table.getByRole('row').filter({ hasText: 'Oct 15, 2026' })).toContainText('1.0876')

  // A later day without its own rate converts at the nearest earlier one.
  const cv = page.getByRole('form', { name: 'Converter' })
  await cv.getByLabel('Amount').fill('250')
  await cv.getByLabel('From').selectOption('EUR')
  await cv.getByLabel('To').selectOption('USD')
  await cv.getByLabel('On date').fill('2026-10-20')
  await cv.getByRole('button', { name: 'Convert' }).click()
  await expect(cv.getByTestId('converted')).toHaveText('€250.00 = $271.90')
  await expect(cv.getByTestId('rate-used')).toHaveText('Rate 1.0876 of Oct 15, 2026')
  await expect(cv.getByTestId('earlier-rate')).toContainText('Oct 20, 2026')
  await shot(page, '38-rates')
})
