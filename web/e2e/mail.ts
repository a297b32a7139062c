import fs from 'node:fs'
import path from 'node:path'

import { expect } from '@playwright/test'

/**
 * Mails the e2e server "sent": without SMTP it writes each one as `<uuid v7>.eml` into
 * LEDGER_MAIL_DIR (see playwright.config.ts), the names sorting in sending order.
 */
function mailDir(): string {
  const data = process.env.LEDGER_E2E_DATA_DIR
  if (!data) throw new Error('LEDGER_E2E_DATA_DIR is not set (playwright.config.ts sets it)')
  return path.join(data, 'mail')
}

/** Most mail files one wait reads (the run sends a handful). */
const MAX_MAILS = 10_000

function mailsTo(to: string): string[] {
  const dir = mailDir()
  if (!fs.existsSync(dir)) return []
  const names = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.eml'))
    .sort()
    .slice(-MAX_MAILS)
  const header = `to: ${to.toLowerCase()}\n`
  return names.map((n) => fs.readFileSync(path.join(dir, n), 'utf8')).filter((text) => text.toLowerCase().startsWith(header))
}

/** How many mails `to` has received so far (to wait for the next one). */
export function mailCount(to: string): number {
  return mailsTo(to).length
}

/**
 * The link to `linkPath` (e.g. `/reset-password`) in the newest of the mails to `to` after the
 * first `seen`, waiting until one holding such a link has arrived. Other mails may come in
 * between (the server mails operator alerts to admins), so the newest mail alone is not enough.
 */
export async function mailedLink(to: string, linkPath: string, seen: number): Promise<string> {
  const pattern = new RegExp(`https?://\\S+${linkPath}\\?token=[\\w-]+`)
  const newest = () =>
    mailsTo(to)
      .slice(seen)
      .reverse()
      .map((body) => pattern.exec(body)?.[0])
      .find((link) => link !== undefined)
  await expect.poll(newest, { message: `a new mail with a ${linkPath} link to ${to} in ${mailDir()}`, timeout: 15_000 }).toBeDefined()
  return newest() as string
}
