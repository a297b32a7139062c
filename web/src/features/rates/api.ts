import { keepPreviousData, useQuery } from '@tanstack/react-query'

import { api, unwrap } from '@/lib/api/client'
import { minPosition } from '@/lib/api/position'
import type { components } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'

type S = components['schemas']
export type Rate = S['RateOut']
export type RateBody = S['RateIn']
export type Conversion = S['Conversion']
export type Provider = S['Provider']
export type SyncReport = S['SyncReport']

export interface RatesQuery {
  base?: string
  quote?: string
  from?: string
  to?: string
  limit: number
  offset: number
}

export function useRates(query: RatesQuery) {
  return useQuery({
    queryKey: ['rates', query],
    queryFn: () => unwrap(api.GET('/api/rates', { params: { query: { ...query, ...minPosition() } } })),
    placeholderData: keepPreviousData,
  })
}

export function useSetRate() {
  return useCommand({
    mutationFn: (body: RateBody) => unwrap(api.POST('/api/rates', { body })),
    onError: () => undefined,
  })
}

export interface ConvertQuery {
  amount: string
  from: string
  to: string
  date?: string
}

/** Converts an amount (runs only once `query` is set, e.g. on submit). */
export function useConversion(query: ConvertQuery | null) {
  return useQuery({
    queryKey: ['rates', 'convert', query],
    queryFn: () => unwrap(api.GET('/api/rates/convert', { params: { query: { ...query!, date: query!.date || undefined, ...minPosition() } } })),
    enabled: !!query,
    retry: false,
  })
}

/** Fetches rates from a provider (ECB for fiat, CoinGecko for crypto); errors are the caller's. */
export function useSyncRates() {
  return useCommand({
    mutationFn: (provider: Provider) => unwrap(api.POST('/api/rates/sync', { body: { provider } })),
    onError: () => undefined,
  })
}
