import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Route, Routes } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { tokens } from '@/lib/api/client'
import { SessionProvider } from '@/lib/auth'
import { I18nProvider } from '@/lib/i18n'
import { fakeServer, me, problem } from '@/test/server'

import RegisterPage from './register'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
  tokens.clear()
})

function renderAt(route: string) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  render(
    <QueryClientProvider client={qc}>
      <I18nProvider locale="en">
        <SessionProvider>
          <MemoryRouter initialEntries={[route]}>
            <Routes>
              <Route path="/register" element={<RegisterPage />} />
              <Route path="/" element={<div>home</div>} />
            </Routes>
          </MemoryRouter>
        </SessionProvider>
      </I18nProvider>
    </QueryClientProvider>,
  )
}

async function fillPasswords(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText('Password'), 'a long password')
  await user.type(screen.getByLabelText('Repeat password'), 'a long password')
}

describe('the register page', { timeout: 30_000 }, () => {
  it('takes the invitation from the link, locks the known email and signs in', async () => {
    const sent = fakeServer({
      'POST /api/auth/register': () => Response.json({ id: 'u2', email: 'inv@example.com', name: null, role: 'accountant', email_confirmed: true }, { status: 201 }),
      'POST /api/auth/login': () => Response.json({ access_token: 'acc', token_type: 'Bearer', expires_in: 900 }),
      'GET /api/auth/me': me('accountant', { email: 'inv@example.com' }),
    })
    const user = userEvent.setup()
    renderAt('/register?invitation=tok-1&email=inv%40example.com')
    expect(screen.getByRole('heading', { name: 'Accept your invitation' })).toBeInTheDocument()
    const email = screen.getByLabelText('Email')
    expect(email).toHaveValue('inv@example.com')
    expect(email).toHaveAttribute('readonly')
    await fillPasswords(user)
    await user.click(screen.getByRole('button', { name: 'Create account' }))
    expect(await screen.findByText('home')).toBeInTheDocument()
    expect(sent[0]).toEqual({
      method: 'POST',
      path: '/api/auth/register',
      body: { email: 'inv@example.com', password: 'a long password', name: null, invitation_token: 'tok-1' },
    })
    expect(sent[1]).toMatchObject({ path: '/api/auth/login', body: { email: 'inv@example.com' } })
  })

  it('lets an invited user leave the email to the invitation and signs in with the address it fixed', async () => {
    const sent = fakeServer({
      'POST /api/auth/register': () => Response.json({ id: 'u3', email: 'fixed@example.com', name: null, role: 'viewer', email_confirmed: true }, { status: 201 }),
      'POST /api/auth/login': () => Response.json({ access_token: 'acc', token_type: 'Bearer', expires_in: 900 }),
      'GET /api/auth/me': me('viewer'),
    })
    const user = userEvent.setup()
    renderAt('/register?invitation=tok-2')
    expect(screen.getByLabelText('Email')).not.toHaveAttribute('readonly')
    await fillPasswords(user)
    await user.click(screen.getByRole('button', { name: 'Create account' }))
    expect(await screen.findByText('home')).toBeInTheDocument()
    expect(sent[0].body).toEqual({ password: 'a long password', name: null, invitation_token: 'tok-2' })
    expect(sent[1]).toMatchObject({ body: { email: 'fixed@example.com' } })
  })

  it('says the ledger is invite-only when the server wants an invitation', async () => {
    fakeServer({ 'POST /api/auth/register': () => problem(403, 'invitation_required', 'an invitation is required to register') })
    const user = userEvent.setup()
    renderAt('/register')
    await user.type(screen.getByLabelText('Email'), 'walk-in@example.com')
    await fillPasswords(user)
    await user.click(screen.getByRole('button', { name: 'Create account' }))
    expect(await screen.findByTestId('invitation-required')).toHaveTextContent('invite-only')
  })

  it('asks to check the mail when the server does not say whether the address was free', async () => {
    const sent = fakeServer({ 'POST /api/auth/register': () => Response.json({ status: 'check_your_mail' }, { status: 202 }) })
    const user = userEvent.setup()
    renderAt('/register')
    await user.type(screen.getByLabelText('Email'), 'open@example.com')
    await fillPasswords(user)
    await user.click(screen.getByRole('button', { name: 'Create account' }))
    expect(await screen.findByRole('heading', { name: 'Check your mail' })).toBeInTheDocument()
    await waitFor(() => expect(sent.map((s) => s.path)).toEqual(['/api/auth/register']))
  })
})
