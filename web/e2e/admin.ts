import type { APIRequestContext, Page } from '@playwright/test'

/**
 * The administrator of an e2e run: the first account registered in the fresh ledger. ledger.spec
 * registers it through the UI; other specs sign in with it, registering it first when they run
 * alone.
 */
export const ADMIN = { email: 'admin-e2e@example.com', password: 'correct horse battery', name: 'Alice Admin' }

/** Signs in as ADMIN through the UI (registering ADMIN over the API if nobody has yet). */
export async function signInAsAdmin(page: Page, request: APIRequestContext) {
  const login = await request.post('/api/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } })
  if (!login.ok()) {
    const reg = await request.post('/api/auth/register', { data: ADMIN })
    if (!reg.ok()) throw new Error(`cannot register the e2e admin: ${reg.status()} ${await reg.text()}`)
  }
  await page.goto('/login')
  await page.getByLabel('Email').fill(ADMIN.email)
  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
}
