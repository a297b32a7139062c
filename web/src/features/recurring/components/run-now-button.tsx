import { Play } from 'lucide-react'
import toast from 'react-hot-toast'

import { Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { useI18n } from '@/lib/i18n'

import { useRunRecurring } from '../api'
import { messages } from '../i18n'

/** Admin: post every due day of every schedule now (the scheduler does it every few minutes). */
export function RunNowButton() {
  const { t, number } = useI18n(messages)
  const run = useRunRecurring()
  return (
    <Button
      variant="outline"
      disabled={run.isPending}
      title={t('recurring.runNowHint')}
      onClick={() => run.mutate(undefined, { onSuccess: (r) => toast.success(t('recurring.runDone', { posted: number(r.posted.length), failed: number(r.failed.length) })) })}
    >
      {run.isPending ? <Spinner /> : <Play />} {t('recurring.runNow')}
    </Button>
  )
}
