import toast from 'react-hot-toast'

import { ErrorState, LoadingState } from '@/components/states'
import { useI18n } from '@/lib/i18n'
import { useUnmatched } from '@/lib/traffic/unmatched'

import { useLiveImport, useRetryImport } from '../api'
import { messages } from '../i18n'
import { ImportErrorsSection } from './import-errors'
import { ImportStatus } from './import-status'

/** The live state of one import (mount with `key={id}`: its stream belongs to that import). */
export function ImportPanel({ id, sourceNames, writer }: { id: string; sourceNames: Map<string, string>; writer: boolean }) {
  const { t } = useI18n(messages)
  const q = useLiveImport(id)
  const retry = useRetryImport()
  const done = q.data?.state === 'done'
  const unmatched = useUnmatched(id, done)

  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />
  if (!q.data) return <LoadingState rows={3} />
  const imp = q.data
  return (
    <ImportStatus
      imp={imp}
      sourceName={imp.source_id ? sourceNames.get(imp.source_id) : undefined}
      unmatchedCount={done ? unmatched.data?.length : undefined}
      canRetry={writer}
      retrying={retry.isPending}
      onRetry={() =>
        retry.mutate(
          { id: imp.id, accept_valid: true },
          {
            onSuccess: () => {
              toast.success(t('imports.retried'))
              void q.refetch()
            },
          },
        )
      }
      errors={<ImportErrorsSection imp={imp} />}
    />
  )
}
