import { expect, test, type APIRequestContext, type Page } from './fixtures'

import { ADMIN, signInAsAdmin } from './admin'

/**
 * The dashboard's traffic chart against the real server: spend and a tracker's revenue reported
 * for yesterday and today show as the last days of a 30-day chart of spend, revenue
 * and ROI, with the same figures the metrics API gives.
 */
test.describe.configure({ mode: 'serial' })

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true })
let page: Page
let token = ''
const stamp = Date.now()
const DAY_MS = 86_400_000
// The browser's "today" is UTC (playwright.config sets the time zone).
const TODAY = new Date().toISOString().slice(0, 10)
const YESTERDAY = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10)
const FROM = new Date(Date.parse(`${TODAY}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10)
const MOLOCO_HEADER = 'Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs'
const KEITARO_HEADER = 'campaign;day;clicks;conversions;revenue;cost'
const SOURCE_KEY = `dash-${stamp}`
const TRACKER_KEY = `Dash tracker ${stamp}`
/** Keitaro writes days as DD.MM.YYYY. */
const keitaroDay = (iso: string) => iso.split('-').reverse().join('.')
const usd = (n: string) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(n))

async function post(request: APIRequestContext, path: string, data: unknown) {
  const res = await request.post(path, { data, headers: { Authorization: `Bearer ${token}` } })
  if (!res.ok()) throw new Error(`${path}: ${res.status()} ${await res.text()}`)
  return (await res.json()) as { id: string; position?: number }
}

async function importFile(request: APIRequestContext, name: string, content: string, fields: Record<string, string>) {
  const up = await request.post('/api/traffic/imports', {
    headers: { Authorization: `Bearer ${token}` },
    multipart: { ...fields, currency: 'USD', file: { name, mimeType: 'text/csv', buffer: Buffer.from(content) } },
  })
  expect(up.status(), await up.text()).toBe(202)
  const id = ((await up.json()) as { id: string }).id
  let imp: { state: string; position?: number | null } = { state: 'queued' }
  for (let i = 0; i < 600 && ['queued', 'running'].includes(imp.state); i++) {
    await new Promise((r) => setTimeout(r, 100))
    imp = await (await request.get(`/api/traffic/imports/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json()
  }
  expect(imp.state).toBe('done')
  return imp.position ?? 0
}

test.beforeAll(async ({ browser, request }) => {
  page = await browser.newPage()
  await signInAsAdmin(page, request)
  const login = await request.post('/api/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } })
  token = ((await login.json()) as { access_token: string }).access_token
  const source = await post(request, '/api/traffic/sources', { name: `Dash source ${stamp}`, kind: 'push', currency: 'USD' })
  await post(request, '/api/traffic/campaigns', {
    name: `Dash campaign ${stamp}`,
    source_id: source.id,
    status: 'active',
    source_keys: [SOURCE_KEY],
    tracker_keys: [TRACKER_KEY],
  })
  const spend = [MOLOCO_HEADER, `${YESTERDAY},com.example.dash,${SOURCE_KEY},Dash,US,12.50,1000,40,4`, `${TODAY},com.example.dash,${SOURCE_KEY},Dash,US,30.00,2000,80,8`]
  await importFile(request, `dash-spend-${stamp}.csv`, spend.join('\n') + '\n', { source_id: source.id })
  // The tracker's results: revenue today and yesterday.
  const results = [KEITARO_HEADER, `${TRACKER_KEY};${keitaroDay(YESTERDAY)};40;1;10,00;0`, `${TRACKER_KEY};${keitaroDay(TODAY)};80;3;45,00;0`]
  const position = await importFile(request, `dash-results-${stamp}.csv`, results.join('\n') + '\n', { format: 'keitaro' })
  // The read side holds both imports once it reached the last one's position.
  await request.get(`/api/traffic/metrics?from=${TODAY}&to=${TODAY}&min_position=${position}`, { headers: { Authorization: `Bearer ${token}` } })
})

test.afterAll(async () => {
  await page.close()
})

test('the dashboard charts the last 30 days of spend, revenue and ROI from the metrics API', async ({ request }) => {
  const res = await request.get(`/api/traffic/metrics?granularity=day&from=${FROM}&to=${TODAY}&currency=USD&limit=30`, { headers: { Authorization: `Bearer ${token}` } })
  expect(res.ok()).toBe(true)
  const api = (await res.json()) as { rows: { period: string; spend: string; revenue: string; roi: string | null }[]; totals: { spend: string; revenue: string } }
  const today = api.rows.find((r) => r.period === TODAY)
  const yesterday = api.rows.find((r) => r.period === YESTERDAY)
  // Our spend is there (other specs may add theirs to the same days).
  expect(Number(today?.spend)).toBeGreaterThanOrEqual(30)
  expect(Number(yesterday?.spend)).toBeGreaterThanOrEqual(12.5)
  expect(Number(today?.revenue)).toBeGreaterThanOrEqual(45)
  expect(Number(yesterday?.revenue)).toBeGreaterThanOrEqual(10)

  await page.goto('/')
  const card = page.getByTestId('dashboard-traffic')
  await expect(card.getByTestId('traffic-totals')).toContainText(usd(api.totals.spend))
  await expect(card.getByTestId('traffic-totals')).toContainText(usd(api.totals.revenue))
  const days = card.getByTestId('traffic-day')
  await expect(days).toHaveCount(30)
  // The last day is today, with the API's figures; the first is 29 days before.
  const shownDay = (iso: string) => new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`))
  await expect(days.last()).toContainText(shownDay(TODAY))
  await expect(days.last()).toContainText(usd(today!.spend))
  await expect(days.last()).toContainText(usd(today!.revenue))
  if (today!.roi !== null) await expect(days.last()).toContainText(`${Number(today!.roi).toFixed(2)}%`)
  await expect(days.first()).toContainText(shownDay(FROM))
  await expect(days.nth(28)).toContainText(usd(yesterday!.spend))
  await expect(days.nth(28)).toContainText(usd(yesterday!.revenue))

  // The chart is drawn: bars for spend and revenue, a line for ROI, a legend naming them.
  const chart = card.getByTestId('traffic-chart')
  await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible()
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(1)
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('Spend')
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('ROI')
  await shot(page, '48-dashboard-traffic-chart')

  // Another report currency asks the server again (no EUR rates: the server says what is missing, or converts).
  // The page's report currency drives the traffic card too.
  await page.getByLabel('Report currency').selectOption('EUR')
  await expect(card.getByTestId('traffic-totals').or(card.getByRole('alert'))).toBeVisible()
  await page.getByLabel('Report currency').selectOption('USD')
  await expect(card.getByTestId('traffic-totals')).toContainText(usd(api.totals.spend))
})
