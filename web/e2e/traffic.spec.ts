import { expect, test, type Page } from './fixtures'

import { signInAsAdmin } from './admin'

/**
 * Traffic through the real server: a source and campaigns with report keys, a Moloco spend
 * report dropped on the import page (progress to done, detected format), its spend in the
 * metrics, a duplicate upload, unmatched keys mapped (to an existing campaign and to a new
 * one), and a failed import with its row errors retried accepting the valid rows.
 */
test.describe.configure({ mode: 'serial' })

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true })
let page: Page
const nav = (name: string) => page.getByRole('navigation', { name: /navigation|навигация/i }).getByRole('link', { name, exact: true }).click()

const HEADER = 'Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs'
const CAMPAIGNS = [
  { key: 'cmp-us', country: 'US' },
  { key: 'cmp-de', country: 'DE' },
  { key: 'cmp-br', country: 'BR' },
]
const DAYS = ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05']

/** A Moloco report over DAYS × CAMPAIGNS, and its total spend in cents (integers: no float sums). */
function molocoReport() {
  let cents = 0
  const lines = [HEADER]
  DAYS.forEach((day, d) =>
    CAMPAIGNS.forEach((c, i) => {
      const spend = 10_000 + d * 1_337 + i * 4_321 + 7
      cents += spend
      const money = `${Math.floor(spend / 100)}.${String(spend % 100).padStart(2, '0')}`
      lines.push(`${day},com.example.game,${c.key},"Game, ${c.key}",${c.country},${money},${5000 + d * 10},${120 + i},${9 + d}`)
    }),
  )
  return { csv: lines.join('\n') + '\n', rows: lines.length - 1, cents }
}
const report = molocoReport()
const totalSpend = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(report.cents / 100)

/** Drops a file on the import page's drop zone, as a browser drag-and-drop does. */
async function dropFile(name: string, content: string) {
  const dataTransfer = await page.evaluateHandle(
    ({ name, content }) => {
      const dt = new DataTransfer()
      dt.items.add(new File([content], name, { type: 'text/csv' }))
      return dt
    },
    { name, content },
  )
  const zone = page.getByTestId('drop-zone')
  await zone.dispatchEvent('dragenter', { dataTransfer })
  await zone.dispatchEvent('dragover', { dataTransfer })
  await zone.dispatchEvent('drop', { dataTransfer })
  await expect(page.getByTestId('chosen-file')).toContainText(name)
}

async function upload(name: string, content: string) {
  await nav('Imports')
  const form = page.getByRole('form', { name: 'Upload a report' })
  await form.getByLabel('Source').selectOption({ label: 'Moloco DSP' })
  await dropFile(name, content)
  await form.getByRole('button', { name: 'Upload' }).click()
}

test.beforeAll(async ({ browser, request }) => {
  page = await browser.newPage()
  await signInAsAdmin(page, request)
})

test.afterAll(async () => {
  await page.close()
})

test('create a traffic source', async () => {
  await nav('Sources')
  await expect(page.getByRole('heading', { name: 'Sources' })).toBeVisible()
  await page.getByRole('button', { name: 'New source' }).click()
  const d = page.getByRole('dialog')
  await d.getByLabel('Name').fill('Moloco DSP')
  await d.getByLabel('Time zone').fill('Mars/Olympus')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d.getByText('Enter an IANA time zone such as UTC or Europe/Berlin')).toBeVisible()
  await d.getByLabel('Time zone').fill('UTC')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByRole('row').filter({ hasText: 'Moloco DSP' })).toContainText('Mobile DSP')
  await shot(page, '20-traffic-sources')
})

test('create campaigns with report keys', async () => {
  await nav('Campaigns')
  await page.getByRole('button', { name: 'New campaign' }).click()
  let d = page.getByRole('dialog')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d.getByText('Required')).toHaveCount(2)
  await d.getByLabel('Name').fill('Game US')
  await d.getByLabel('Source', { exact: true }).selectOption({ label: 'Moloco DSP' })
  const keys = d.getByLabel('Source keys')
  await keys.fill('cmp-us')
  await keys.press('Enter')
  await keys.fill('typo')
  await keys.press('Enter')
  await d.getByRole('button', { name: 'Remove typo' }).click()
  await expect(d.getByTestId('tag')).toHaveText(['cmp-us'])
  await shot(page, '21-traffic-campaign-dialog')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByRole('row').filter({ hasText: 'Game US' })).toContainText('cmp-us')

  // A second campaign without keys yet: an unmatched key is mapped to it later.
  await page.getByRole('button', { name: 'New campaign' }).click()
  d = page.getByRole('dialog')
  await d.getByLabel('Name').fill('Game BR')
  await d.getByLabel('Source', { exact: true }).selectOption({ label: 'Moloco DSP' })
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByRole('row').filter({ hasText: 'Game BR' })).toBeVisible()
  await shot(page, '22-traffic-campaigns')
})

test('a program pays through a counterparty; its offer is validated', async () => {
  await nav('Counterparties')
  await page.getByRole('button', { name: 'New counterparty' }).click()
  let d = page.getByRole('dialog')
  await d.getByLabel('Name').first().fill('AffiliateCo')
  await d.getByLabel('Kind').selectOption('affiliate_program')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d).toBeHidden()

  await nav('Programs')
  await page.getByRole('button', { name: 'New program' }).click()
  d = page.getByRole('dialog')
  await d.getByLabel('Name').fill('AffiliateCo Games')
  await d.getByLabel('Counterparty').selectOption({ label: 'AffiliateCo · Affiliate program' })
  await d.getByLabel('Currency').selectOption('USDT')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByRole('row').filter({ hasText: 'AffiliateCo Games' })).toContainText('USDT')

  await nav('Offers')
  await page.getByRole('button', { name: 'New offer' }).click()
  d = page.getByRole('dialog')
  await d.getByLabel('Name').fill('Game install')
  await d.getByLabel('Program').selectOption({ label: 'AffiliateCo Games' })
  await expect(d.getByLabel('Currency')).toHaveValue('USDT')
  await d.getByLabel('Payout model').selectOption('rev_share')
  await d.getByLabel('Revenue share, %').fill('150')
  const countries = d.getByLabel('Countries')
  await countries.fill('us')
  await countries.press('Enter')
  await countries.fill('deu')
  await countries.press('Enter')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d.getByText('A revenue share is a percentage above 0 and at most 100')).toBeVisible()
  await expect(d.getByText('Use two-letter country codes such as US or DE')).toBeVisible()
  await d.getByRole('button', { name: 'Remove DEU' }).click()
  await d.getByLabel('Payout model').selectOption('cpi')
  await d.getByLabel('Payout', { exact: true }).fill('2.5')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByRole('row').filter({ hasText: 'Game install' })).toContainText('2.500000 USDT')
  await expect(page.getByRole('row').filter({ hasText: 'Game install' })).toContainText('US')
  await shot(page, '22b-traffic-offers')
})

test('drop a Moloco report and watch the import finish', async () => {
  await upload('moloco-october.csv', report.csv)
  const status = page.getByTestId('import-status')
  await expect(status.getByTestId('import-state')).toHaveText('Done', { timeout: 60_000 })
  await expect(status.getByTestId('detected-format')).toHaveText('Moloco')
  await expect(status.getByTestId('rows-ok')).toHaveText(String(report.rows))
  await expect(status.getByTestId('rows-failed')).toHaveText('0')
  await expect(status).toContainText('Oct 1, 2026 – Oct 5, 2026')
  await expect(status.getByRole('link', { name: '2 unmatched campaign keys' })).toBeVisible()
  // The history lists it as done.
  await expect(page.getByRole('row').filter({ hasText: 'moloco-october.csv' }).getByTestId('import-state')).toHaveText('Done')
  await shot(page, '23-traffic-import-done')
})

test('the metrics show the file’s total spend', async () => {
  await page.getByRole('link', { name: 'View metrics' }).click()
  await expect(page).toHaveURL(/\/traffic\/analytics\?from=2026-10-01&to=2026-10-05/)
  await expect(page.getByTestId('kpi-spend')).toHaveText(totalSpend)
  await expect(page.getByTestId('total-spend')).toHaveText(totalSpend)
  // Nothing was converted and no tracker results came in: ratios without a denominator are "—".
  await expect(page.getByTestId('total-cpa')).toHaveText('—')
  await expect(page.getByTestId('metrics-table').getByRole('row')).toHaveCount(1 + DAYS.length + 1)

  await page.getByLabel('Group by').selectOption('campaign')
  const table = page.getByTestId('metrics-table')
  await expect(table.getByRole('row').filter({ hasText: 'Game US' })).toHaveCount(DAYS.length)
  await expect(table.getByRole('row').filter({ hasText: '(unmatched)' }).first()).toBeVisible()
  await page.getByRole('radio', { name: 'Week' }).click()
  await expect(page.getByTestId('total-spend')).toHaveText(totalSpend)
  await expect(page.getByTestId('chart-spend-revenue')).toBeVisible()
  await shot(page, '24-traffic-analytics')
})

test('the same file again is answered with the earlier import', async () => {
  await upload('moloco-october-again.csv', report.csv)
  const dup = page.getByTestId('duplicate-upload')
  await expect(dup).toContainText('Already imported')
  await shot(page, '25-traffic-duplicate')
  await dup.getByRole('link', { name: 'Open the earlier import' }).click()
  await expect(page.getByTestId('import-status')).toContainText('moloco-october.csv')
  await expect(page.getByTestId('import-status').getByTestId('import-state')).toHaveText('Done')
})

test('map unmatched keys to campaigns', async () => {
  await nav('Unmatched keys')
  await expect(page.getByTestId('unmatched-key')).toHaveText(['cmp-br', 'cmp-de'])
  await shot(page, '26-traffic-unmatched')

  // To an existing campaign of the key's source.
  await page.getByRole('button', { name: 'Map cmp-br to a campaign' }).click()
  let d = page.getByRole('dialog')
  await d.getByLabel('Campaign').selectOption({ label: 'Game BR' })
  await shot(page, '27-traffic-map-key')
  await d.getByRole('button', { name: 'Add to campaign' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByTestId('unmatched-key')).toHaveText(['cmp-de'])

  // To a new campaign, prefilled with the key and its source.
  await page.getByRole('button', { name: 'Map cmp-de to a campaign' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'New campaign with this key' }).click()
  d = page.getByRole('dialog')
  await expect(d.getByRole('heading', { name: 'New campaign' })).toBeVisible()
  await expect(d.getByLabel('Source', { exact: true })).toHaveValue(/.+/)
  await expect(d.getByTestId('tag')).toHaveText(['cmp-de'])
  await d.getByLabel('Name').fill('Game DE')
  await d.getByRole('button', { name: 'Save' }).click()
  await expect(d).toBeHidden()
  await expect(page.getByText('Every key belongs to a campaign')).toBeVisible()

  // Every row now has its campaign; the total is unchanged.
  await nav('Analytics')
  await page.getByLabel('From').fill('2026-10-01')
  await page.getByLabel('To').fill('2026-10-05')
  await page.getByLabel('Group by').selectOption('campaign')
  const table = page.getByTestId('metrics-table')
  for (const name of ['Game US', 'Game DE', 'Game BR']) await expect(table.getByRole('row').filter({ hasText: name })).toHaveCount(DAYS.length)
  await expect(table.getByRole('row').filter({ hasText: '(unmatched)' })).toHaveCount(0)
  await expect(page.getByTestId('total-spend')).toHaveText(totalSpend)
})

test('a failed import shows its row errors and is retried accepting the valid rows', async () => {
  const bad = [HEADER, '2026-09-10,com.example.game,cmp-us,Game,US,12.50,1000,10,1', '2026-09-10,com.example.game,cmp-us,Game,US,abc,1000,10,1', '2026-13-10,com.example.game,cmp-us,Game,US,1.00,1000,10,1'].join('\n') + '\n'
  await upload('broken.csv', bad)
  const status = page.getByTestId('import-status')
  await expect(status.getByTestId('import-state')).toHaveText('Failed', { timeout: 60_000 })
  await expect(status.getByTestId('import-error')).toContainText('2 of 3 rows are invalid')
  const errors = page.getByTestId('import-errors')
  await expect(errors.getByRole('row').filter({ hasText: 'abc' })).toContainText('Spend')
  await expect(errors.getByRole('row').filter({ hasText: '2026-13-10' })).toContainText('Date')
  await shot(page, '28-traffic-import-failed')

  await status.getByRole('button', { name: 'Retry accepting valid rows' }).click()
  await expect(status.getByTestId('import-state')).toHaveText('Done', { timeout: 60_000 })
  await expect(status.getByTestId('rows-ok')).toHaveText('1')
  await expect(status.getByTestId('rows-failed')).toHaveText('2')
})

test('a large report shows its progress live', async () => {
  // 300,000 rows of August: big enough that a debug server is seen running (a fast one may
  // finish first, so the running state is looked for, not required).
  const lines = [HEADER]
  for (let i = 0; i < 300_000; i++) lines.push(`2026-08-${String(1 + (i % 28)).padStart(2, '0')},com.example.game,cmp-us,Game,US,0.${String(i % 100).padStart(2, '0')},100,2,1`)
  await upload('moloco-august.csv', lines.join('\n') + '\n')
  const status = page.getByTestId('import-status')
  const state = status.getByTestId('import-state')
  await expect(state).toHaveText(/Queued|Running|Done/)
  if ((await state.textContent()) !== 'Done' && (await status.getByRole('progressbar').isVisible().catch(() => false))) {
    await expect(status.getByTestId('rows-progress')).toContainText('300,000 rows').catch(() => {})
    await shot(page, '23b-traffic-import-progress')
  }
  await expect(state).toHaveText('Done', { timeout: 120_000 })
  await expect(status.getByTestId('rows-ok')).toHaveText('300,000')
})

test('the dashboard in Russian', async () => {
  await nav('Analytics')
  await page.getByLabel('From').fill('2026-09-01')
  await page.getByLabel('To').fill('2026-10-31')
  await page.getByLabel('Language').selectOption('ru')
  await page.getByLabel('Шаг').getByRole('radio', { name: 'Месяц' }).click()
  await expect(page.getByTestId('metrics-table')).toContainText('октябрь 2026')
  await expect(page.getByTestId('total-cpa')).toHaveText('—')
  await shot(page, '29-traffic-analytics-ru')
  await page.getByLabel('Язык').selectOption('en')
})
