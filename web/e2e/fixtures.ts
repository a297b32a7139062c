import { test as base, type Browser, type BrowserContext } from '@playwright/test'

export { expect } from '@playwright/test'
export type { APIRequestContext, Page } from '@playwright/test'

/** A Content-Security-Policy violation seen in the browser. */
export interface CspViolation {
  page: string
  what: string
}

/**
 * Every spec imports `test` from here: every browser context of the run (the `page` fixture's
 * and those specs open with `browser.newPage()`) reports Content-Security-Policy violations
 * (the `securitypolicyviolation` event and Chromium's console message), and each test fails
 * if any was seen while it ran. The server's policy must hold for the whole app, not just
 * for the pages a dedicated test happens to open.
 */
export const test = base.extend<{ cspGuard: void }, { cspViolations: CspViolation[] }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their dependencies
  cspViolations: [async ({}, use) => use([]), { scope: 'worker' }],

  browser: [
    async ({ browser, cspViolations }, use) => {
      await use(watchContexts(browser, cspViolations))
    },
    { scope: 'worker' },
  ],

  cspGuard: [
    async ({ cspViolations }, use, testInfo) => {
      // What a beforeAll's page saw counts against the first test after it.
      await use()
      const seen = cspViolations.splice(0)
      if (seen.length > 0 && testInfo.status === testInfo.expectedStatus) {
        throw new Error(`Content-Security-Policy violations:\n${seen.map((v) => `  ${v.page}: ${v.what}`).join('\n')}`)
      }
    },
    { auto: true },
  ],
})

const watched = new WeakSet<Browser>()

/** Makes every context the browser opens from now on report CSP violations into `sink`. */
function watchContexts(browser: Browser, sink: CspViolation[]): Browser {
  if (watched.has(browser)) return browser
  watched.add(browser)
  const newContext = browser.newContext.bind(browser)
  browser.newContext = async (options) => {
    const context = await newContext(options)
    await watch(context, sink)
    return context
  }
  return browser
}

async function watch(context: BrowserContext, sink: CspViolation[]) {
  context.on('console', (msg) => {
    if (/Content[ -]Security[ -]Policy/i.test(msg.text())) sink.push({ page: msg.page()?.url() ?? '?', what: msg.text() })
  })
  await context.exposeBinding('__reportCspViolation', ({ page }, what: string) => {
    sink.push({ page: page?.url() ?? '?', what })
  })
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __reportCspViolation?: (what: string) => void }).__reportCspViolation
      report?.(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`)
    })
  })
}
