import type { components } from './schema'

export type Problem = components['schemas']['Problem']

/** An error answer of the API (application/problem+json), or a network failure. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly field?: string | null
  readonly problem?: Problem

  constructor(status: number, problem: Partial<Problem> | undefined, fallback: string) {
    super(problem?.detail || problem?.title || fallback)
    this.name = 'ApiError'
    this.status = status
    this.code = problem?.code ?? (status === 0 ? 'network_error' : 'http_error')
    this.field = problem?.field ?? null
    this.problem = problem as Problem | undefined
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError
}

/** Builds an ApiError from whatever an openapi-fetch call returned as `error`. */
export function toApiError(error: unknown, response: Response | undefined): ApiError {
  const status = response?.status ?? 0
  if (error && typeof error === 'object' && 'detail' in error) {
    return new ApiError(status, error as Partial<Problem>, `HTTP ${status}`)
  }
  return new ApiError(status, undefined, typeof error === 'string' && error ? error : `HTTP ${status}`)
}
