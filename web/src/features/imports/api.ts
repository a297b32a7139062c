import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'

import { api, authFetch, unwrap } from '@/lib/api/client'
import { notePosition } from '@/lib/api/position'
import { toApiError } from '@/lib/api/problem'
import type { components, operations } from '@/lib/api/schema'
import { useCommand } from '@/lib/query'
import { readServerSentEvents } from '@/lib/sse'

export type Import = components['schemas']['ImportOut']
export type ImportError = components['schemas']['ImportErrorOut']
export type ImportState = 'queued' | 'running' | 'done' | 'failed' | 'duplicate'
type ImportsQuery = NonNullable<operations['list_imports']['parameters']['query']>

export const IMPORT_FORMATS = ['moloco', 'keitaro', 'binom', 'voluum', 'redtrack', 'custom'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]
export const IMPORT_STATES: ImportState[] = ['queued', 'running', 'done', 'failed', 'duplicate']

export const isActive = (i: Pick<Import, 'state'>) => i.state === 'queued' || i.state === 'running'

export interface UploadInput {
  file: File
  source_id?: string
  /** Absent: the server detects the format from the header. */
  format?: ImportFormat
  accept_valid: boolean
  default_date?: string
  currency?: string
  /** Column mapping (JSON text) for the custom format. */
  mapping?: string
}

/** The upload's answer: the queued import, or (`duplicate`) the earlier import of the same file. */
export interface UploadResult {
  import: Import
  duplicate: boolean
}

export function useUploadImport() {
  return useCommand({
    mutationFn: async (input: UploadInput): Promise<UploadResult> => {
      const form = new FormData()
      if (input.source_id) form.append('source_id', input.source_id)
      if (input.format) form.append('format', input.format)
      form.append('accept_valid', String(input.accept_valid))
      if (input.default_date) form.append('default_date', input.default_date)
      if (input.currency) form.append('currency', input.currency)
      if (input.mapping) form.append('mapping', input.mapping)
      // The file goes last: the server streams it to disk after reading the other fields.
      form.append('file', input.file, input.file.name)
      let result
      try {
        result = await api.POST('/api/traffic/imports', { body: form as never, bodySerializer: (b: unknown) => b as FormData })
      } catch (e) {
        throw toApiError(e instanceof Error ? e.message : 'network error', undefined)
      }
      if (result.error !== undefined || !result.data) throw toApiError(result.error, result.response)
      return { import: result.data, duplicate: result.response.status === 200 }
    },
  })
}

export function useImports(query: ImportsQuery, refetchWhileActive: boolean) {
  return useQuery({
    queryKey: ['traffic', 'imports', query],
    queryFn: () => unwrap(api.GET('/api/traffic/imports', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (refetchWhileActive && q.state.data?.items.some(isActive) ? 2000 : false),
  })
}

const importKey = (id: string) => ['traffic', 'import', id] as const

async function fetchImport(id: string) {
  return unwrap(api.GET('/api/traffic/imports/{id}', { params: { path: { id } } }))
}

/**
 * One import, kept live while it runs: progress comes from the server's event stream (read
 * with fetch, since it needs the bearer token); if the stream cannot be opened or breaks off,
 * the import is polled every 500 ms instead. Once it is done its log position is noted, so
 * metrics read afterwards include it.
 */
export function useLiveImport(id: string | null) {
  const qc = useQueryClient()
  const [streamFailed, setStreamFailed] = useState(false)
  const query = useQuery({
    queryKey: importKey(id ?? ''),
    queryFn: () => fetchImport(id!),
    enabled: !!id,
    staleTime: 0,
    refetchInterval: (q) => (streamFailed && q.state.data && isActive(q.state.data) ? 500 : false),
  })
  const active = !!query.data && isActive(query.data)

  useEffect(() => {
    if (!id || !active || streamFailed) return
    const controller = new AbortController()
    let ended = false
    void (async () => {
      try {
        const res = await authFetch(
          new Request(new URL(`/api/traffic/imports/${id}/events`, location.origin), {
            headers: { Accept: 'text/event-stream' },
            signal: controller.signal,
          }),
        )
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`)
        for await (const ev of readServerSentEvents(res.body)) {
          if (ev.event !== 'progress') continue
          const imp = JSON.parse(ev.data) as Import
          qc.setQueryData(importKey(id), imp)
          if (!isActive(imp)) ended = true
        }
        // The stream ended without a final state (e.g. a proxy cut it): poll the rest.
        if (!ended && !controller.signal.aborted) setStreamFailed(true)
      } catch {
        if (!controller.signal.aborted) setStreamFailed(true)
      }
    })()
    return () => controller.abort()
  }, [id, active, streamFailed, qc])

  const data = query.data
  useEffect(() => {
    if (data?.state === 'done' && typeof data.position === 'number') notePosition(data.position)
  }, [data?.state, data?.position])
  // Initially true: an import first seen finished may be newer than the lists that show it.
  const wasActive = useRef(true)
  useEffect(() => {
    if (!data) return
    // An import that ends changes the history, unmatched keys and metrics.
    if (wasActive.current && !isActive(data)) {
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'traffic' && q.queryKey[1] !== 'import' })
    }
    wasActive.current = isActive(data)
  }, [data, qc])

  return query
}

export function useImportErrors(id: string, pagination: { pageIndex: number; pageSize: number }, enabled: boolean, version: string) {
  return useQuery({
    queryKey: ['traffic', 'import-errors', id, pagination, version],
    queryFn: () =>
      unwrap(
        api.GET('/api/traffic/imports/{id}/errors', {
          params: { path: { id }, query: { limit: pagination.pageSize, offset: pagination.pageIndex * pagination.pageSize } },
        }),
      ),
    enabled,
    placeholderData: keepPreviousData,
  })
}

export function useRetryImport() {
  return useCommand({
    mutationFn: ({ id, accept_valid }: { id: string; accept_valid?: boolean }) =>
      unwrap(api.POST('/api/traffic/imports/{id}/retry', { params: { path: { id } }, body: { accept_valid } })),
  })
}
