import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { tokens } from '@/lib/api/client'
import { fakeServer, me, problem, renderSignedIn } from '@/test/server'

import { scopeAllowed, toNewToken } from '../api'
import ApiTokensPage from './tokens'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
  tokens.clear()
})

const LISTED = {
  items: [{ id: 't1', name: 'Keitaro postbacks', scopes: ['postback'], created_at: '2026-11-20T08:00:00Z', expires_at: null, last_used_at: '2026-12-01T08:00:00Z' }],
}

describe('the API tokens page', { timeout: 30_000 }, () => {
  it('creates a token with the chosen scopes and expiry and shows the secret once', async () => {
    const sent = fakeServer({
      'GET /api/auth/me': me('accountant'),
      'GET /api/tokens': () => Response.json(LISTED),
      'POST /api/tokens': (body) =>
        Response.json({ id: 't2', ...(body as object), created_at: '2026-12-03T08:00:00Z', last_used_at: null, token: 'lgr_s3cret' }, { status: 201 }),
    })
    const user = userEvent.setup()
    renderSignedIn(<ApiTokensPage />)
    expect(await screen.findByText('Keitaro postbacks')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'New token' }))
    const dialog = await screen.findByRole('dialog')
    await user.type(within(dialog).getByLabelText('Name'), 'Nightly import')
    await user.click(within(dialog).getByRole('checkbox', { name: /books:write/ }))
    // An accountant's role has no audit right: the scope cannot be chosen.
    expect(within(dialog).getByRole('checkbox', { name: /audit/ })).toBeDisabled()
    await user.type(within(dialog).getByLabelText('Expires'), '12/31/2099')
    await user.click(within(dialog).getByRole('button', { name: 'Create token' }))

    expect(await within(dialog).findByLabelText('API token')).toHaveValue('lgr_s3cret')
    expect(within(dialog).getByText(/shown only this once/)).toBeInTheDocument()
    expect(within(dialog).getByRole('button', { name: 'Copy API token' })).toBeInTheDocument()
    expect(sent.find((s) => s.method === 'POST')?.body).toEqual({ name: 'Nightly import', scopes: ['read', 'books:write'], expires_at: '2099-12-31T23:59:59Z' })
  })

  it('needs a name and a scope, and shows the server refusal of a scope', async () => {
    const sent = fakeServer({
      'GET /api/auth/me': me('admin'),
      'GET /api/tokens': () => Response.json({ items: [] }),
      'POST /api/tokens': () => problem(422, 'validation_failed', 'your role cannot grant audit', 'scopes'),
    })
    const user = userEvent.setup()
    renderSignedIn(<ApiTokensPage />)
    expect(await screen.findByText('No API tokens yet')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'New token' }))
    const dialog = await screen.findByRole('dialog')
    await user.click(within(dialog).getByRole('checkbox', { name: /read the books/ }))
    await user.click(within(dialog).getByRole('button', { name: 'Create token' }))
    expect(await within(dialog).findByText('Required')).toBeInTheDocument()
    expect(within(dialog).getByText('Choose at least one scope')).toBeInTheDocument()
    expect(sent.some((s) => s.method === 'POST')).toBe(false)

    await user.type(within(dialog).getByLabelText('Name'), 'Auditor script')
    await user.click(within(dialog).getByRole('checkbox', { name: /audit/ }))
    await user.click(within(dialog).getByRole('button', { name: 'Create token' }))
    expect(await within(dialog).findByText('your role cannot grant audit')).toBeInTheDocument()
    expect(within(dialog).queryByLabelText('API token')).not.toBeInTheDocument()
  })

  it('revokes a token after confirming', async () => {
    const sent = fakeServer({
      'GET /api/auth/me': me('viewer'),
      'GET /api/tokens': () => Response.json(LISTED),
      'DELETE /api/tokens/t1': () => new Response(null, { status: 204 }),
    })
    const user = userEvent.setup()
    renderSignedIn(<ApiTokensPage />)
    await user.click(await screen.findByRole('button', { name: 'Revoke the token Keitaro postbacks' }))
    const dialog = await screen.findByRole('dialog')
    expect(sent.some((s) => s.method === 'DELETE')).toBe(false)
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }))
    await waitFor(() => expect(sent.some((s) => s.method === 'DELETE' && s.path === '/api/tokens/t1')).toBe(true))
  })
})

describe('token scopes and body', () => {
  it('offers only the scopes the role has', () => {
    expect(['read', 'books:write', 'traffic:write', 'postback', 'audit'].filter((s) => scopeAllowed(s as never, 'viewer'))).toEqual(['read'])
    expect(scopeAllowed('audit', 'auditor')).toBe(true)
    expect(scopeAllowed('books:write', 'auditor')).toBe(false)
    expect(scopeAllowed('traffic:write', 'analyst')).toBe(true)
    expect(scopeAllowed('read', undefined)).toBe(false)
  })

  it('sends no expiry when none is chosen and trims the name', () => {
    expect(toNewToken({ name: ' CI ', scopes: ['read'], expires: '' })).toEqual({ name: 'CI', scopes: ['read'] })
  })
})
