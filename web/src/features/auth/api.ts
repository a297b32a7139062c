import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { requestJson } from '@/lib/api/json'
import { ME_KEY } from '@/lib/auth'

export interface RegisterBody {
  email?: string
  password: string
  name?: string | null
  /** The token of an invitation link (`/register?invitation=…`). */
  invitation_token?: string
}

/**
 * The new user (201), or `{status: "check_your_mail"}` (202) where the server does not say
 * whether the address was free (open registration).
 */
export type RegisterAnswer = { id: string; email: string } | { status: 'check_your_mail' }

export function useRegister() {
  return useMutation({
    // Untyped until the invitation fields are in the generated schema (branch `auth`).
    mutationFn: (body: RegisterBody) => requestJson<RegisterAnswer>('POST', '/api/auth/register', body),
  })
}

/** Confirms once per token (a query, so re-renders and strict-mode effects do not repeat it). */
export function useConfirmEmail(token: string | null) {
  const qc = useQueryClient()
  return useQuery({
    queryKey: ['public', 'confirm-email', token],
    queryFn: async () => {
      await unwrap(api.POST('/api/auth/confirm-email', { body: { token: token ?? '' } }))
      // A signed-in user's "email not confirmed" note comes from the cached session.
      await qc.invalidateQueries({ queryKey: ME_KEY })
      return true
    },
    enabled: !!token,
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
  })
}

export function useForgotPassword() {
  return useMutation({
    mutationFn: (email: string) => unwrap(api.POST('/api/auth/forgot-password', { body: { email } })),
  })
}

export function useResetPassword() {
  return useMutation({
    mutationFn: (body: { token: string; password: string }) => unwrap(api.POST('/api/auth/reset-password', { body })),
  })
}
