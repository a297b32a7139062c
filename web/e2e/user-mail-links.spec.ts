import { expect, test, type Page } from './fixtures'

import { ADMIN, ensureAdmin, registerInvited, signInAsAdmin } from './admin'
import { mailCount, mailedLink } from './mail'

/**
 * Mailed links through the real server (no SMTP: the mails are files, see e2e/mail.ts): a new
 * user joins by invitation, the first user's confirmation link works once, the new user forgets
 * the password, follows the reset link,
 * sets a new password and signs in with it; used and forged links are refused. Then the
 * administrator disables the user (after confirming), who can no longer sign in, and enables them.
 */
test.describe.configure({ mode: 'serial' })

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true })
let page: Page

const USER = { name: 'Mia Mailer', email: `mia-${Date.now()}@example.com`, password: 'first password 123' }
const NEW_PASSWORD = 'second password 456'
let resetLink = ''

async function userMenu() {
  await page.getByTestId('user-menu').click()
  return page.getByRole('menu')
}

async function signIn(password: string) {
  await page.getByLabel('Email').fill(USER.email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

test.beforeAll(async ({ browser, request }) => {
  // The first account becomes admin: make sure it is not this spec's user when run alone.
  await ensureAdmin(request)
  page = await browser.newPage()
})

test.afterAll(async () => {
  await page.close()
})

test('an invited user joins, and a mailed confirmation link works once', async ({ request }) => {
  // The ledger is invite-only: the invitation fixes the address, and using it confirms it.
  const res = await registerInvited(request, USER, 'viewer')
  expect(res.status()).toBe(201)
  expect((await res.json()).email_confirmed).toBe(true)
  await page.goto('/login')
  await signIn(USER.password)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  const menu = await userMenu()
  await expect(menu).toContainText(USER.email)
  await expect(menu).not.toContainText('not confirmed')
  await page.keyboard.press('Escape')

  // The first user registered without an invitation and was mailed a confirmation link (a new
  // one is not sent within a minute of the last, so the newest mail holds a link either way).
  const seen = mailCount(ADMIN.email)
  await request.post('/api/auth/resend-confirmation', { data: { email: ADMIN.email } })
  const link = await mailedLink(ADMIN.email, '/confirm-email', Math.max(0, seen - 1))
  expect(link.startsWith(`${new URL(page.url()).origin}/confirm-email?token=`)).toBe(true)
  await page.goto(link)
  await expect(page.getByText('Your email address is confirmed.')).toBeVisible()
  await shot(page, '40-email-confirmed')
  await page.getByRole('link', { name: 'Continue' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()

  // The link works once; a forged one never.
  await page.goto(link)
  await expect(page.getByText('This link is not valid, has expired or was already used.')).toBeVisible()
  await page.goto('/confirm-email?token=forged-token')
  await expect(page.getByText('This link is not valid, has expired or was already used.')).toBeVisible()
})

test('forgot password: the mailed link sets a new one', async () => {
  await page.goto('/')
  await (await userMenu()).getByRole('menuitem', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(/\/login/)

  const seen = mailCount(USER.email)
  await page.getByRole('link', { name: 'Forgot your password?' }).click()
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible()
  await page.getByLabel('Email').fill(USER.email)
  await page.getByRole('button', { name: 'Send link' }).click()
  await expect(page.getByText('If an account has this address, a link is on its way.')).toBeVisible()
  await shot(page, '41-forgot-password-sent')

  resetLink = await mailedLink(USER.email, '/reset-password', seen)
  await page.goto(resetLink)
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible()
  await page.getByLabel('New password').fill(NEW_PASSWORD)
  await page.getByLabel('Repeat password').fill('something else entirely')
  await page.getByRole('button', { name: 'Set password' }).click()
  await expect(page.getByText('The passwords differ')).toBeVisible()
  await page.getByLabel('Repeat password').fill(NEW_PASSWORD)
  await shot(page, '42-reset-password')
  await page.getByRole('button', { name: 'Set password' }).click()
  await expect(page).toHaveURL(/\/login/)
  await expect(page.getByText('Password changed. Sign in with the new one.')).toBeVisible()

  await signIn(USER.password)
  await expect(page.getByText('the email or the password is wrong').first()).toBeVisible()
  await signIn(NEW_PASSWORD)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
})

test('a used reset link is refused and offers a new one', async () => {
  await (await userMenu()).getByRole('menuitem', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(/\/login/)
  await page.goto(resetLink)
  await page.getByLabel('New password').fill('third password 789')
  await page.getByLabel('Repeat password').fill('third password 789')
  await page.getByRole('button', { name: 'Set password' }).click()
  await expect(page.getByText('This link is not valid, has expired or was already used.')).toBeVisible()
  await page.getByRole('link', { name: 'Request a new link' }).click()
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible()
})

test('the administrator disables the user, who cannot sign in until enabled', async ({ browser, request }) => {
  const admin = await browser.newPage()
  await signInAsAdmin(admin, request)
  await admin.goto('/users')
  await admin.getByLabel('Search').fill(USER.email)
  // The user's row, not the row of the invitation they joined by (the page lists both).
  const row = admin
    .getByRole('row')
    .filter({ hasText: USER.email })
    .filter({ has: admin.getByLabel(`Role of ${USER.email}`) })
  await expect(row).toContainText('Viewer')
  await row.getByRole('button', { name: `Disable ${USER.email}` }).click()
  const dialog = admin.getByRole('dialog')
  await expect(dialog).toContainText(`${USER.email} is signed out everywhere`)
  await shot(admin, '47-user-disable-confirm')
  await dialog.getByRole('button', { name: 'Disable' }).click()
  await expect(dialog).toBeHidden()
  await expect(row).toContainText('disabled')

  await page.goto('/login')
  await signIn(NEW_PASSWORD)
  await expect(page.getByText('this account is disabled; ask an administrator').first()).toBeVisible()

  await row.getByRole('button', { name: `Enable ${USER.email}` }).click()
  await expect(row).not.toContainText('disabled')
  await signIn(NEW_PASSWORD)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await admin.close()
})
