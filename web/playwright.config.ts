import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { defineConfig } from '@playwright/test'

// LEDGER_E2E_PORT lets two runs on one machine use different ports (the stub takes the next one).
const PORT = Number(process.env.LEDGER_E2E_PORT ?? 18181)
const baseURL = `http://127.0.0.1:${PORT}`
const TRONSCAN_PORT = PORT + 1
const TRONSCAN_STUB = `http://127.0.0.1:${TRONSCAN_PORT}`
// A fresh ledger (and embedded PostgreSQL) for every run. Playwright loads this config in
// every worker process too, so the folder is made once and handed down through the env.
function freshDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-e2e-'))
  // Run as root, the embedded PostgreSQL runs as `postgres`, which must be able to traverse it.
  fs.chmodSync(dir, 0o755)
  return dir
}
const dataDir = (process.env.LEDGER_E2E_DATA_DIR ??= freshDataDir())
// Specs that need books nobody else has posted into (exact report figures, a closed period) run
// against a second server with a ledger of their own; so does the access spec, whose admin must
// not be the first user of the ledger that `ledger.spec.ts` registers through the screens.
const FRESH_BOOKS_PORT = PORT + 2
const freshBooksURL = `http://127.0.0.1:${FRESH_BOOKS_PORT}`
const freshBooksDir = (process.env.LEDGER_E2E_FRESH_BOOKS_DIR ??= freshDataDir())
const FRESH_BOOKS_SPECS = /(invoices-reports|access)\.spec\.ts/
const serverCommand = process.env.LEDGER_BIN ? `${process.env.LEDGER_BIN} serve` : 'cargo run --bin ledger -- serve'

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    locale: 'en-US',
    timezoneId: 'UTC',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'ledger', testIgnore: FRESH_BOOKS_SPECS },
    { name: 'fresh-books', testMatch: FRESH_BOOKS_SPECS, use: { baseURL: freshBooksURL } },
  ],
  webServer: [
    {
      // TronScan answered from the importers' recordings (wallet sync and verification).
      command: `node e2e/tronscan-stub.mjs`,
      url: `${TRONSCAN_STUB}/healthz`,
      reuseExistingServer: false,
      env: { TRONSCAN_STUB_PORT: String(TRONSCAN_PORT) },
    },
    {
      // Builds nothing but the server: `npm run build` must have produced web/dist first.
      // LEDGER_BIN runs an already built server instead (no cargo build while others compile).
      command: serverCommand,
      cwd: '..',
      url: `${baseURL}/healthz`,
      timeout: 30 * 60_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        LEDGER_DATA_DIR: dataDir,
        LEDGER_LISTEN: `127.0.0.1:${PORT}`,
        LEDGER_WEB_DIR: 'web/dist',
        LEDGER_PUBLIC_URL: baseURL,
        // No SMTP: every mail is also written here, and e2e/mail.ts reads the links from it.
        LEDGER_MAIL_DIR: path.join(dataDir, 'mail'),
        LEDGER_TRONSCAN_URL: TRONSCAN_STUB,
      },
    },
    {
      command: serverCommand,
      cwd: '..',
      url: `${freshBooksURL}/healthz`,
      timeout: 30 * 60_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        LEDGER_DATA_DIR: freshBooksDir,
        LEDGER_LISTEN: `127.0.0.1:${FRESH_BOOKS_PORT}`,
        LEDGER_WEB_DIR: 'web/dist',
        LEDGER_PUBLIC_URL: freshBooksURL,
        LEDGER_TRONSCAN_URL: TRONSCAN_STUB,
      },
    },
  ],
})
