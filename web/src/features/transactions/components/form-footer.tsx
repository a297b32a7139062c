import type { ReactNode } from 'react'

import { Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { useI18n } from '@/lib/i18n'

import { messages } from '../i18n'

export function FormFooter({ submitting, disabled, onCancel, children }: { submitting: boolean; disabled?: boolean; onCancel: () => void; children?: ReactNode }) {
  const { t } = useI18n(messages)
  return (
    <div className="flex flex-wrap items-center justify-end gap-2 pt-2">
      <div className="mr-auto">{children}</div>
      <Button type="button" variant="outline" onClick={onCancel}>
        {t('common.cancel')}
      </Button>
      <Button type="submit" disabled={submitting || disabled}>
        {submitting && <Spinner />}
        {t('tx.post')}
      </Button>
    </div>
  )
}
