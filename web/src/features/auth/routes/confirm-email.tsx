import { CheckCircle2 } from 'lucide-react'
import { Link, useSearchParams } from 'react-router'

import { LoadingState } from '@/components/states'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { useI18n } from '@/lib/i18n'

import { useConfirmEmail } from '../api'
import { AuthCard } from '../components/auth-card'
import { messages } from '../i18n'

export default function ConfirmEmailPage() {
  const { t } = useI18n(messages)
  const [params] = useSearchParams()
  const token = params.get('token')
  const q = useConfirmEmail(token)

  return (
    <AuthCard
      title={t('auth.confirmEmail')}
      footer={
        <Link className="underline" to="/">
          {t('auth.continue')}
        </Link>
      }
    >
      {!token ? (
        <Alert variant="destructive">
          <AlertTitle>{t('auth.linkInvalid')}</AlertTitle>
        </Alert>
      ) : q.isPending ? (
        <LoadingState rows={1} />
      ) : q.isError ? (
        <Alert variant="destructive">
          <AlertTitle>{t('auth.linkInvalid')}</AlertTitle>
          <AlertDescription>{q.error.message}</AlertDescription>
        </Alert>
      ) : (
        <Alert>
          <CheckCircle2 />
          <AlertTitle>{t('auth.emailConfirmed')}</AlertTitle>
        </Alert>
      )}
    </AuthCard>
  )
}
