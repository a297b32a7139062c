import fs from 'node:fs'

import { expect, test, type APIRequestContext, type Page } from './fixtures'

import { ADMIN, signInAsAdmin } from './admin'

/**
 * Reviewing the books: the transaction filters live in the URL (a reload keeps them), the CSV
 * export holds exactly the filtered list, the list reads in Russian with Russian number and date
 * formats, and the audit log has the server narrow its events by aggregate, event type, user and
 * recorded day while showing the hash-chain head.
 */
test.describe.configure({ mode: 'serial' })

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true })
let page: Page
let token = ''
const nav = (name: string) => page.getByRole('navigation', { name: /navigation|навигация/i }).getByRole('link', { name, exact: true }).click()

const stamp = Date.now()
const BANK = `Review bank ${stamp}`
const TAG = `alpha${stamp}`
const TODAY = new Date().toISOString().slice(0, 10)
/** Most audit pages the test pages through looking for its events. */
const MAX_AUDIT_PAGES = 60

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
  const bank = await post(request, '/api/accounts', { name: BANK, type: 'asset', kind: 'bank', currency: 'USD' })
  const sales = await post(request, '/api/accounts', { name: `Review sales ${stamp}`, type: 'income', kind: 'other', currency: 'USD' })
  const sale = (description: string, amount: string, tags: string[]) =>
    post(request, '/api/transactions', {
      date: TODAY,
      description,
      entries: [
        { account_id: bank.id, amount },
        { account_id: sales.id, amount: `-${amount}` },
      ],
      tags,
      idempotency_key: `review-${stamp}-${description}`,
    })
  await sale('Review sale A', '1234.50', [TAG])
  await sale('Review sale B', '99.99', ['beta'])
  const last = await sale('Review sale "C", quoted', '0.01', [TAG])
  await request.get(`/api/transactions?min_position=${last.position}&limit=1`, { headers: { Authorization: `Bearer ${token}` } })
})

test.afterAll(async () => {
  await page.close()
})

test('filters live in the URL and the CSV export holds the filtered list', async () => {
  await nav('Transactions')
  await page.getByLabel('Account', { exact: true }).selectOption({ label: `${BANK} (USD)` })
  await page.getByLabel('Tag').fill(TAG)
  await expect(page).toHaveURL(new RegExp(`tag=${TAG}`))
  const rows = page.getByTestId('tx-row')
  await expect(rows).toHaveCount(2)
  await page.reload()
  await expect(page.getByLabel('Tag')).toHaveValue(TAG)
  await expect(rows).toHaveCount(2)
  await expect(rows.filter({ hasText: 'Review sale B' })).toHaveCount(0)

  // A period preset sets both days: last month holds none of today's sales, this month both.
  const period = page.getByLabel('Period')
  await period.selectOption('lastMonth')
  await expect(page).toHaveURL(/from=\d{4}-\d{2}-01&to=\d{4}-\d{2}-\d{2}|to=.*from=/)
  await expect(page.getByText('No transactions match the filters')).toBeVisible()
  await period.selectOption('thisMonth')
  await expect(page).toHaveURL(new RegExp(`to=${TODAY}`))
  await expect(rows).toHaveCount(2)
  await shot(page, '46-transactions-filtered')
  await period.selectOption('')
  await expect(page).not.toHaveURL(/from=/)

  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export CSV' }).click()
  const file = await (await download).path()
  const lines = fs.readFileSync(file, 'utf8').replace(/^\ufeff/, '').trim().split('\r\n')
  expect(lines[0]).toMatch(/^transaction_id,date,kind,description,account,amount,currency,/)
  // Two transactions of two entries each, amounts as exact decimals, the quoted description escaped.
  expect(lines).toHaveLength(5)
  expect(lines.filter((l) => l.includes(`${BANK},1234.50,USD`))).toHaveLength(1)
  expect(lines.filter((l) => l.includes('"Review sale ""C"", quoted"'))).toHaveLength(2)
  expect(lines.some((l) => l.includes('Review sale B'))).toBe(false)
})

test('the list in Russian: numbers, money and dates for the locale', async () => {
  await page.getByLabel('Language').selectOption('ru')
  await expect(page.getByRole('heading', { name: 'Операции' })).toBeVisible()
  const row = page.getByTestId('tx-row').filter({ hasText: 'Review sale A' })
  // 1 234,50 $ with (narrow) no-break spaces.
  await expect(row).toContainText(/1\s234,50\s\$/)
  const day = new Intl.DateTimeFormat('ru', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${TODAY}T00:00:00Z`))
  await expect(row).toContainText(day)
  await expect(page.getByText('Загружено 2 из 2')).toBeVisible()
  await shot(page, '44-transactions-ru')
  // Date fields read and write Russian dates (DD.MM.YYYY), though the browser's locale is en-US.
  const [y, m] = TODAY.split('-')
  const fromDate = page.getByLabel('С даты')
  await fromDate.fill(`1.${m}.${y}`)
  await expect(page).toHaveURL(new RegExp(`from=${y}-${m}-01`))
  await expect(row).toBeVisible()
  await fromDate.blur()
  await page.reload()
  await expect(page.getByLabel('С даты')).toHaveValue(`01.${m}.${y}`)
  await expect(page.getByLabel('С даты')).toHaveAttribute('placeholder', 'ДД.ММ.ГГГГ')
  await page.getByLabel('С даты').fill('')
  await expect(page).not.toHaveURL(/from=/)
  await page.getByLabel('Язык').selectOption('en')
  await expect(page.getByRole('heading', { name: 'Transactions' })).toBeVisible()
})

test('the audit log: chain head, and events filtered by the server', async () => {
  await nav('Audit')
  const head = page.getByTestId('audit-head')
  await expect(head).toBeVisible()
  await expect(head.locator('code')).toHaveText(/^[0-9a-f]{64}$/)

  const events = page.getByTestId('audit-event')
  // The choices come from the log itself.
  await expect(page.getByLabel('Aggregate type').locator('option', { hasText: /^transaction$/ })).toHaveCount(1)
  await page.getByLabel('Aggregate type').selectOption('transaction')
  await page.getByLabel('Event type').selectOption('Posted')
  // The server sends only transaction postings: every row on the page is one.
  await expect(events.first()).toContainText('Posted')
  const count = await events.count()
  expect(count).toBeGreaterThanOrEqual(3)
  await expect(events.filter({ hasNotText: 'Posted' })).toHaveCount(0)
  await expect(events.filter({ hasNotText: 'transaction' })).toHaveCount(0)

  await page.getByLabel('Filter this page').fill('Review sale B')
  // The filters stay while paging: go forward until the page holding the event.
  for (let i = 0; i < MAX_AUDIT_PAGES && (await events.count()) === 0; i++) {
    const next = page.getByRole('button', { name: 'Next page' })
    if (await next.isDisabled()) break
    await next.click()
    await page.waitForTimeout(100)
  }
  await expect(events).toHaveCount(1)
  await expect(page.getByTestId('audit-shown')).toContainText(/^1 of the \d+ events on this page match$/)
  await events.getByRole('button', { name: /Posted/ }).click()
  await expect(page.getByText('"Review sale B"').first()).toBeVisible()
  await shot(page, '45-audit-filtered')

  // The aggregate id filter: exactly that transaction's events, whatever the type filters.
  const aggregate = ((await events.getByRole('cell').nth(4).textContent()) ?? '').replace(/\s*#\d+$/, '').trim()
  expect(aggregate).toMatch(/^[0-9a-f-]{36}$/)
  await page.getByRole('button', { name: 'Clear filters' }).click()
  await page.getByLabel('Filter this page').fill('')
  await page.getByLabel('Aggregate id').fill(aggregate)
  await expect(events).toHaveCount(1)
  await expect(events).toContainText(aggregate)

  // A user id is sent only once it is a UUID; until then the field says it is not one.
  await page.getByLabel('User id').fill('not-a-user')
  await expect(page.getByLabel('User id')).toHaveAttribute('aria-invalid', 'true')
  await expect(events).toHaveCount(1)
  await page.getByLabel('User id').fill('00000000-0000-0000-0000-000000000000')
  await expect(events).toHaveCount(0)
  await expect(page.getByText('No events in this stretch of the log match')).toBeVisible()
  await page.getByLabel('User id').fill('')
  await expect(events).toHaveCount(1)

  // Recorded days, typed in the app's language: nothing was recorded after today.
  const tomorrow = new Date(`${TODAY}T00:00:00Z`)
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1)
  const [y, m, d] = tomorrow.toISOString().slice(0, 10).split('-')
  await page.getByLabel('Recorded from').fill(`${m}/${d}/${y}`)
  await expect(events).toHaveCount(0)
  const [ty, tm, td] = TODAY.split('-')
  await page.getByLabel('Recorded from').fill(`${tm}/${td}/${ty}`)
  await expect(events).toHaveCount(1)

  // Another aggregate type drops the event type.
  await page.getByRole('button', { name: 'Clear filters' }).click()
  await page.getByLabel('Aggregate type').selectOption('transaction')
  await page.getByLabel('Event type').selectOption('Posted')
  await page.getByLabel('Aggregate type').selectOption('account')
  await expect(page.getByLabel('Event type')).toHaveValue('')
  await expect(events.filter({ hasNotText: 'account' })).toHaveCount(0)
  await page.getByRole('button', { name: 'Clear filters' }).click()
  await expect(page.getByLabel('Aggregate type')).toHaveValue('')
  await expect(events.first()).toBeVisible()

  // "Latest events" opens the page ending at the chain head.
  const sealed = Number((await head.locator('b').first().textContent())?.replace(/\D/g, ''))
  const latest = page.getByRole('button', { name: 'Latest events' })
  if (sealed > 200) await latest.click()
  await expect(latest).toBeDisabled()
  await expect(events.last().getByRole('cell').first()).toHaveText(String(sealed))
})
