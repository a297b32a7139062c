import { signInAsAdmin } from './admin'
import { expect, test } from './fixtures'

/**
 * Invite-only access and API tokens through the screens (issue 11, findings 4 and 10): the admin
 * invites a user in the users page and copies the link; the invitee opens it signed out, sets a
 * password and lands in the app with the invited role; a second invitation is revoked and its
 * link refused. A personal API token is created, works as a bearer token, and stops at revoke.
 */
test('invite a user by link; revoke another invitation', async ({ page, request, browser }) => {
  const email = `invitee-${Date.now()}@example.com`
  await signInAsAdmin(page, request)
  await page.goto('/users')
  await page.getByRole('button', { name: 'Invite user' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Email').fill(email)
  await dialog.getByLabel('Role').selectOption('accountant')
  await dialog.getByRole('button', { name: 'Create invitation' }).click()
  const link = await page.getByTestId('invite-url').inputValue()
  expect(link).toMatch(/\/register\?invitation=/)
  await dialog.getByRole('button', { name: 'Done' }).click()
  await expect(page.getByRole('row', { name: new RegExp(email) })).toContainText('pending')

  const invitee = await browser.newPage()
  await invitee.goto(new URL(link).pathname + new URL(link).search)
  await expect(invitee.getByRole('heading', { name: 'Accept your invitation' })).toBeVisible()
  await invitee.getByLabel('Email').fill(email)
  await invitee.getByLabel('Password', { exact: true }).fill('invited password 123')
  await invitee.getByLabel('Repeat password').fill('invited password 123')
  await invitee.getByRole('button', { name: 'Create account' }).click()
  await expect(invitee.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await invitee.getByTestId('user-menu').click()
  await expect(invitee.getByRole('menu')).toContainText('Accountant')
  await invitee.close()

  await page.reload()
  await expect(page.getByRole('row', { name: new RegExp(email) }).first()).toBeVisible()

  // A second invitation, revoked: its link no longer works.
  const other = `revoked-${Date.now()}@example.com`
  await page.getByRole('button', { name: 'Invite user' }).click()
  await dialog.getByLabel('Email').fill(other)
  await dialog.getByRole('button', { name: 'Create invitation' }).click()
  const revokedLink = await page.getByTestId('invite-url').inputValue()
  await dialog.getByRole('button', { name: 'Done' }).click()
  await page.getByRole('button', { name: `Revoke the invitation of ${other}` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
  await expect(page.getByRole('row', { name: new RegExp(other) })).toContainText('revoked')
  const res = await request.post('/api/auth/register', {
    data: { password: 'another password 1', invitation_token: new URL(revokedLink).searchParams.get('invitation') },
  })
  expect(res.status()).toBeGreaterThanOrEqual(400)
})

test('an API token is shown once, works as a bearer token and stops working when revoked', async ({ page, request }) => {
  await signInAsAdmin(page, request)
  await page.getByTestId('user-menu').click()
  await page.getByRole('menuitem', { name: 'API tokens' }).click()
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible()
  await page.getByRole('button', { name: 'New token' }).click()
  const dialog = page.getByRole('dialog')
  const name = `e2e script ${Date.now()}`
  await dialog.getByLabel('Name').fill(name)
  await dialog.getByRole('button', { name: 'Create token' }).click()
  const secret = await page.getByTestId('token-secret').inputValue()
  expect(secret).toMatch(/^lgr_/)
  await dialog.getByRole('button', { name: 'Done' }).click()

  const auth = { authorization: `Bearer ${secret}` }
  expect((await request.get('/api/accounts', { headers: auth })).status()).toBe(200)

  await page.getByRole('button', { name: `Revoke the token ${name}` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
  await expect(page.getByText(name)).toHaveCount(0)
  expect((await request.get('/api/accounts', { headers: auth })).status()).toBe(401)
})
