import type { FieldValues, Path, UseFormSetError } from 'react-hook-form'

import { isApiError } from './api/problem'
import { toastError } from './query'

/**
 * Shows an API error: attaches it to the form field it names (the problem's `field`, mapped
 * through `fieldMap` when the API's field path differs from the form's) and toasts the detail.
 */
export function applyServerError<T extends FieldValues>(
  e: unknown,
  setError: UseFormSetError<T>,
  fields: readonly string[],
  fieldMap?: (apiField: string) => string | undefined,
) {
  if (isApiError(e) && e.field) {
    const mapped = fieldMap?.(e.field) ?? e.field
    if (fields.includes(mapped)) {
      setError(mapped as Path<T>, { type: 'server', message: e.message }, { shouldFocus: true })
    }
  }
  toastError(e)
}
