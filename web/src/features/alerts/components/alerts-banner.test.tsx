import { cleanup, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { tokens } from '@/lib/api/client'
import { useSession } from '@/lib/auth'
import { fakeServer, me, renderSignedIn } from '@/test/server'

import { AlertsBanner } from './alerts-banner'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
  tokens.clear()
})

/** Says when the session (and so the banner beside it) has rendered with the user's role. */
function RoleProbe() {
  const { user } = useSession()
  return user ? <span>role: {user.role}</span> : null
}

const ALERTS = {
  alerts: [
    {
      kind: 'import_failed',
      key: 'import_failed:i1',
      subject: 'moloco-october.csv',
      detail: 'line 3, column date: not a date',
      since: '2026-12-03T08:00:00Z',
    },
    { kind: 'fx_sync_failed', key: 'fx_sync_failed:ecb', subject: 'ecb', detail: 'HTTP 500', since: '2026-12-03T09:00:00Z' },
  ],
}

describe('the operator alerts banner', { timeout: 30_000 }, () => {
  it('shows an admin every current alert with a way to act on it', async () => {
    fakeServer({ 'GET /api/auth/me': me('admin'), 'GET /api/admin/alerts': () => Response.json(ALERTS) })
    renderSignedIn(<AlertsBanner />)
    const banner = await screen.findByTestId('operator-alerts')
    expect(banner).toHaveTextContent('Needs attention (2)')
    expect(banner).toHaveTextContent('Import failed: moloco-october.csv — line 3, column date: not a date')
    expect(banner).toHaveTextContent('Exchange-rate sync failed: ecb — HTTP 500')
    const links = screen.getAllByRole('link', { name: 'Open' }).map((l) => l.getAttribute('href'))
    expect(links).toEqual(['/traffic/imports', '/rates'])
  })

  it('shows nothing when all is well', async () => {
    const sent = fakeServer({ 'GET /api/auth/me': me('admin'), 'GET /api/admin/alerts': () => Response.json({ alerts: [] }) })
    renderSignedIn(<AlertsBanner />)
    await waitFor(() => expect(sent.some((s) => s.path === '/api/admin/alerts')).toBe(true))
    expect(screen.queryByTestId('operator-alerts')).not.toBeInTheDocument()
  })

  it('never asks for alerts for other roles', async () => {
    const sent = fakeServer({ 'GET /api/auth/me': me('accountant'), 'GET /api/admin/alerts': () => Response.json(ALERTS) })
    renderSignedIn(
      <>
        <RoleProbe />
        <AlertsBanner />
      </>,
    )
    // Rendered with the accountant's session: a query the banner would start has started.
    expect(await screen.findByText('role: accountant')).toBeInTheDocument()
    expect(sent.some((s) => s.path === '/api/admin/alerts')).toBe(false)
    expect(screen.queryByTestId('operator-alerts')).not.toBeInTheDocument()
  })
})
