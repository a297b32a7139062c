import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { tokens } from '@/lib/api/client'
import { fakeServer, me, problem, renderSignedIn } from '@/test/server'

import UsersPage from '../routes/users'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
  tokens.clear()
})

const INVITATIONS = {
  items: [
    { id: 'i1', email: 'pending@example.com', role: 'accountant', created_at: '2026-12-01T10:00:00Z', expires_at: '2026-12-08T10:00:00Z', accepted_at: null, revoked_at: null, state: 'pending' },
    { id: 'i2', email: 'done@example.com', role: 'viewer', created_at: '2026-11-01T10:00:00Z', expires_at: '2026-11-08T10:00:00Z', accepted_at: '2026-11-02T10:00:00Z', revoked_at: null, state: 'accepted' },
  ],
  total: 2,
  limit: 10,
  offset: 0,
}

function server(extra: Parameters<typeof fakeServer>[0] = {}) {
  return fakeServer({
    'GET /api/auth/me': me('admin'),
    'GET /api/users': () => Response.json({ items: [], total: 0, limit: 25, offset: 0 }),
    'GET /api/invitations': () => Response.json(INVITATIONS),
    ...extra,
  })
}

describe('invitations on the users page', { timeout: 30_000 }, () => {
  it('invites by email and role, then shows the link once with a copy button', async () => {
    const sent = server({
      'POST /api/invitations': (body) =>
        Response.json(
          { id: 'i3', email: (body as { email: string }).email, role: 'analyst', expires_at: '2026-12-10T09:00:00Z', invite_url: 'http://ledger.test/register?invitation=tok123' },
          { status: 201 },
        ),
    })
    const user = userEvent.setup()
    renderSignedIn(<UsersPage />)
    await user.click(await screen.findByRole('button', { name: 'Invite user' }))
    const dialog = await screen.findByRole('dialog')
    await user.type(within(dialog).getByLabelText('Email'), 'new@example.com')
    await user.selectOptions(within(dialog).getByLabelText('Role'), 'analyst')
    await user.click(within(dialog).getByRole('button', { name: 'Create invitation' }))

    expect(await within(dialog).findByLabelText('Invitation link')).toHaveValue('http://ledger.test/register?invitation=tok123')
    expect(within(dialog).getByRole('button', { name: 'Copy Invitation link' })).toBeInTheDocument()
    expect(within(dialog).getByText(/also mailed when mail is configured/)).toBeInTheDocument()
    expect(sent.filter((s) => s.method === 'POST')).toEqual([{ method: 'POST', path: '/api/invitations', body: { email: 'new@example.com', role: 'analyst' } }])
  })

  it('shows the server refusal on the email field and keeps the dialog open', async () => {
    server({ 'POST /api/invitations': () => problem(409, 'email_taken', 'an account with this email address already exists', 'email') })
    const user = userEvent.setup()
    renderSignedIn(<UsersPage />)
    await user.click(await screen.findByRole('button', { name: 'Invite user' }))
    const dialog = await screen.findByRole('dialog')
    await user.type(within(dialog).getByLabelText('Email'), 'taken@example.com')
    await user.click(within(dialog).getByRole('button', { name: 'Create invitation' }))
    expect(await within(dialog).findByText('an account with this email address already exists')).toBeInTheDocument()
    expect(within(dialog).queryByLabelText('Invitation link')).not.toBeInTheDocument()
  })

  it('refuses a malformed address before asking the server', async () => {
    const sent = server()
    const user = userEvent.setup()
    renderSignedIn(<UsersPage />)
    await user.click(await screen.findByRole('button', { name: 'Invite user' }))
    const dialog = await screen.findByRole('dialog')
    await user.type(within(dialog).getByLabelText('Email'), 'not-an-address')
    await user.click(within(dialog).getByRole('button', { name: 'Create invitation' }))
    expect(await within(dialog).findByText('Enter a valid email address')).toBeInTheDocument()
    expect(sent.some((s) => s.method === 'POST')).toBe(false)
  })

  it('lists invitations with their state and revokes a pending one after confirming', async () => {
    const sent = server({ 'DELETE /api/invitations/i1': () => new Response(null, { status: 204 }) })
    const user = userEvent.setup()
    renderSignedIn(<UsersPage />)
    expect(await screen.findByText('pending@example.com')).toBeInTheDocument()
    expect(screen.getByText('accepted')).toBeInTheDocument()
    // Only the pending invitation can be revoked.
    expect(screen.queryByRole('button', { name: 'Revoke the invitation of done@example.com' })).not.toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Revoke the invitation of pending@example.com' }))
    const dialog = await screen.findByRole('dialog')
    expect(within(dialog).getByText(/pending@example.com stops working/)).toBeInTheDocument()
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }))
    await waitFor(() => expect(sent.some((s) => s.method === 'DELETE' && s.path === '/api/invitations/i1')).toBe(true))
  })
})

describe('a user without a role', { timeout: 30_000 }, () => {
  it('shows "Pending" in the role picker until the admin picks one', async () => {
    const sent = server({
      'GET /api/users': () =>
        Response.json({
          items: [{ id: 'u9', email: 'open@example.com', name: null, role: 'pending', email_confirmed: true, disabled: false, created_at: '2026-12-01T00:00:00Z' }],
          total: 1,
          limit: 25,
          offset: 0,
        }),
      'PATCH /api/users/u9': () => Response.json({ id: 'u9', email: 'open@example.com', role: 'viewer' }),
    })
    const user = userEvent.setup()
    renderSignedIn(<UsersPage />)
    const picker = await screen.findByLabelText('Role of open@example.com')
    expect(picker).toHaveDisplayValue('Pending')
    await user.selectOptions(picker, 'viewer')
    await waitFor(() => expect(sent.find((s) => s.method === 'PATCH')).toEqual({ method: 'PATCH', path: '/api/users/u9', body: { role: 'viewer' } }))
  })
})
