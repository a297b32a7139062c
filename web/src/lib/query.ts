import { QueryClient, useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query'
import toast from 'react-hot-toast'

import { notePosition } from './api/position'
import { isApiError } from './api/problem'

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (count, error) => (isApiError(error) && error.status > 0 && error.status < 500 ? false : count < 2),
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  })
}

/** Shows an API error's `detail` as a toast. */
export function toastError(e: unknown) {
  const message = e instanceof Error ? e.message : String(e)
  toast.error(message, { id: message })
}

/**
 * A mutation for a command: after success, remembers the answered log position and refetches
 * every query (which then pass `min_position`, so nothing is stale). Errors are toasted unless
 * the caller handles them (`onError`).
 */
export function useCommand<TData, TVars>(
  options: UseMutationOptions<TData, Error, TVars> & { mutationFn: (vars: TVars) => Promise<TData> },
) {
  const qc = useQueryClient()
  return useMutation<TData, Error, TVars>({
    ...options,
    onSuccess: async (data, vars, result, ctx) => {
      if (data && typeof data === 'object' && 'position' in data) {
        notePosition((data as { position?: number }).position)
      }
      await qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'session' })
      await options.onSuccess?.(data, vars, result, ctx)
    },
    onError: (error, vars, result, ctx) => {
      if (options.onError) return options.onError(error, vars, result, ctx)
      toastError(error)
    },
  })
}
