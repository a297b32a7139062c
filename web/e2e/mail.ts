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
 * The link to `linkPath` (e.g. `/reset-password`) in the newest mail to `to`, waiting until more
 * than `seen` mails have arrived for that address.
 */
export async function mailedLink(to: string, linkPath: string, seen: number): Promise<string> {
  await expect.poll(() => mailCount(to), { message: `a new mail to ${to} in ${mailDir()}`, timeout: 15_000 }).toBeGreaterThan(seen)
  const mails = mailsTo(to)
  const body = mails[mails.length - 1]
  const link = new RegExp(`https?://\\S+${linkPath}\\?token=[\\w-]+`).exec(body)?.[0]
  if (!link) throw new Error(`no ${linkPath} link in the mail:\n${body}`)
  return link
}
