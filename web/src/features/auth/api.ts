import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { ME_KEY } from '@/lib/auth'

export function useRegister() {
  return useMutation({
    mutationFn: (body: { email: string; password: string; name?: string | null }) => unwrap(api.POST('/api/auth/register', { body })),
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
