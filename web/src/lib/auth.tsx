import { useQuery, useQueryClient } from '@tanstack/react-query'
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'

import { api, endSession, startSession, tokens, unwrap } from './api/client'
import type { components } from './api/schema'

export type User = components['schemas']['UserView']
export type Role = components['schemas']['Role']

/**
 * A user signed up under open registration whom no administrator has given a role yet
 * (`GET /api/auth/me` answers `role: "pending"`): they can read nothing.
 */
export function isPending(user: { role: string } | null | undefined): boolean {
  return user?.role === 'pending'
}

/** What each role may do (mirrors api/src/auth/policy). */
export const can = {
  writeBooks: (r?: Role) => r === 'admin' || r === 'accountant',
  /** Traffic sources, programs, offers, campaigns and imports. */
  writeTraffic: (r?: Role) => r === 'admin' || r === 'accountant' || r === 'analyst',
  closePeriods: (r?: Role) => r === 'admin' || r === 'accountant',
  reopenPeriods: (r?: Role) => r === 'admin',
  audit: (r?: Role) => r === 'admin' || r === 'auditor',
  manageUsers: (r?: Role) => r === 'admin',
  /** Run the recurring payments now (policy::ADMIN). */
  runRecurring: (r?: Role) => r === 'admin',
  /** See the operator alerts and scrape /metrics (policy::ADMIN, policy::METRICS). */
  operate: (r?: Role) => r === 'admin',
}

interface SessionValue {
  status: 'loading' | 'authenticated' | 'anonymous'
  user: User | null
  signIn: (email: string, password: string) => Promise<User>
  signOut: () => Promise<void>
}

const SessionContext = createContext<SessionValue | null>(null)

export const ME_KEY = ['session', 'me'] as const

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient()
  const [hasSession, setHasSession] = useState(() => tokens.hasSession)
  useEffect(() => tokens.subscribe((signedIn) => setHasSession(signedIn)), [])
  const me = useQuery({
    queryKey: ME_KEY,
    queryFn: () => unwrap(api.GET('/api/auth/me')),
    enabled: hasSession,
    retry: false,
    staleTime: 5 * 60_000,
  })

  useEffect(() => {
    if (!hasSession) qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'public' })
  }, [hasSession, qc])

  const signIn = useCallback(
    async (email: string, password: string) => {
      await startSession(email, password)
      const user = await unwrap(api.GET('/api/auth/me'))
      qc.setQueryData(ME_KEY, user)
      return user
    },
    [qc],
  )

  const signOut = useCallback(async () => {
    await endSession()
    qc.clear()
  }, [qc])

  const value = useMemo<SessionValue>(() => {
    let status: SessionValue['status']
    if (!hasSession) status = 'anonymous'
    else if (me.data) status = 'authenticated'
    else if (me.isError) status = 'anonymous'
    else status = 'loading'
    return { status, user: status === 'authenticated' ? (me.data ?? null) : null, signIn, signOut }
  }, [hasSession, me.data, me.isError, signIn, signOut])

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext)
  if (!v) throw new Error('useSession outside SessionProvider')
  return v
}

/** The signed-in user's role (undefined while signed out). */
export function useRole(): Role | undefined {
  return useSession().user?.role
}
