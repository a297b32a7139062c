import { useCallback } from 'react'
import { useSearchParams } from 'react-router'

/**
 * The URL's search params and a setter for one of them: a blank value removes the key, and the
 * change replaces the history entry (filters and tabs are state, not navigation).
 */
export function useSearchParam() {
  const [params, setParams] = useSearchParams()
  const setParam = useCallback(
    (key: string, value: string) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev)
          if (value) next.set(key, value)
          else next.delete(key)
          return next
        },
        { replace: true },
      ),
    [setParams],
  )
  return [params, setParam] as const
}
