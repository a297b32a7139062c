import type { APIRequestContext, Page } from '@playwright/test'

/**
 * The administrator of an e2e run: the first account registered in the fresh ledger. ledger.spec
 * registers it through the UI; other specs sign in with it, registering it first when they run
 * alone.
 */
export const ADMIN = { email: 'admin-e2e@example.com', password: 'correct horse battery', name: 'Alice Admin' }

/**
 * Registers ADMIN over the API when the ledger is empty (the first user becomes admin without an
 * invitation); a ledger that has users already answers 403 `invitation_required`, which is fine
 * when ADMIN is among them.
 */
export async function ensureAdmin(request: APIRequestContext) {
  const login = await request.post('/api/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } })
  if (login.ok()) return
  const reg = await request.post('/api/auth/register', { data: ADMIN })
  if (!reg.ok()) throw new Error(`cannot register the e2e admin: ${reg.status()} ${await reg.text()}`)
}

/** An access token of ADMIN, over the API. */
export async function adminToken(request: APIRequestContext): Promise<string> {
  await ensureAdmin(request)
  const login = await request.post('/api/auth/login', { data: { email: ADMIN.email, password: ADMIN.password } })
  if (!login.ok()) throw new Error(`cannot sign in as the e2e admin: ${login.status()} ${await login.text()}`)
  return (await login.json()).access_token as string
}

/** Invites `email` with `role` as ADMIN; answers the invitation (with its `invite_url`). */
export async function invite(request: APIRequestContext, email: string, role: string) {
  const token = await adminToken(request)
  const res = await request.post('/api/invitations', {
    data: { email, role },
    headers: { authorization: `Bearer ${token}` },
  })
  if (res.status() !== 201) throw new Error(`cannot invite ${email}: ${res.status()} ${await res.text()}`)
  return (await res.json()) as { id: string; email: string; role: string; invite_url: string }
}

/** The token of an invitation link (`/register?invitation=<token>`). */
export function invitationToken(inviteUrl: string): string {
  return new URL(inviteUrl).searchParams.get('invitation') ?? ''
}

/**
 * Registers a user the way the ledger admits them (invite-only by default): ADMIN invites them
 * with `role` and they register with the invitation's token. Answers the registration response.
 */
export async function registerInvited(
  request: APIRequestContext,
  user: { email: string; password: string; name?: string },
  role: string,
) {
  const invitation = await invite(request, user.email, role)
  return request.post('/api/auth/register', {
    data: { password: user.password, name: user.name, invitation_token: invitationToken(invitation.invite_url) },
  })
}

/** Signs in as ADMIN through the UI (registering ADMIN over the API if nobody has yet). */
export async function signInAsAdmin(page: Page, request: APIRequestContext) {
  await ensureAdmin(request)
  await page.goto('/login')
  await page.getByLabel('Email').fill(ADMIN.email)
  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
}
