import { cleanup, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { tokens } from '@/lib/api/client'
import { isPending } from '@/lib/auth'
import { fakeServer, me, renderSignedIn } from '@/test/server'

import { PendingAccess } from './pending-access'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
  tokens.clear()
})

describe('pending access', () => {
  it('knows a user without a role', () => {
    expect(isPending({ role: 'pending' })).toBe(true)
    expect(isPending({ role: 'viewer' })).toBe(false)
    expect(isPending(null)).toBe(false)
  })

  it('tells the user to wait for an administrator', async () => {
    fakeServer({ 'GET /api/auth/me': me('pending', { email: 'new@example.com' }) })
    renderSignedIn(<PendingAccess />)
    expect(screen.getByRole('heading', { name: 'Waiting for access' })).toBeInTheDocument()
    expect(await screen.findByText(/new@example.com is created, but an administrator has not given you access yet/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument()
  })
})
