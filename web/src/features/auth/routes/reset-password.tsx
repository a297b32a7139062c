import { zodResolver } from '@hookform/resolvers/zod'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'
import { Link, useNavigate, useSearchParams } from 'react-router'
import type { z } from 'zod'

import { FormField } from '@/components/form-field'
import { Spinner } from '@/components/states'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { isApiError } from '@/lib/api/problem'
import { useSession } from '@/lib/auth'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'

import { useResetPassword } from '../api'
import { AuthCard } from '../components/auth-card'
import { messages } from '../i18n'
import { resetSchema } from '../schemas'

export default function ResetPasswordPage() {
  const { t, te } = useI18n(messages)
  const [params] = useSearchParams()
  const token = params.get('token')
  const navigate = useNavigate()
  const { status, signOut } = useSession()
  const reset = useResetPassword()
  const form = useForm<z.infer<typeof resetSchema>>({ resolver: zodResolver(resetSchema), defaultValues: { password: '', confirm: '' } })
  const { errors, isSubmitting } = form.formState
  // A used or expired link cannot be fixed by retyping: offer a new one instead of the form.
  const linkRefused = isApiError(reset.error) && reset.error.code === 'invalid_token'

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await reset.mutateAsync({ token: token ?? '', password: v.password })
      // Every session of the account ended; sign in again.
      if (status !== 'anonymous') await signOut()
      toast.success(t('auth.passwordChanged'))
      navigate('/login', { replace: true })
    } catch (e) {
      if (!(isApiError(e) && e.code === 'invalid_token')) applyServerError(e, form.setError, ['password'])
    }
  })

  return (
    <AuthCard
      title={t('auth.resetTitle')}
      footer={
        <Link className="underline" to="/login">
          {t('auth.backToSignIn')}
        </Link>
      }
    >
      {!token || linkRefused ? (
        <Alert variant="destructive">
          <AlertTitle>{t('auth.linkInvalid')}</AlertTitle>
          <AlertDescription>
            <Link className="underline" to="/forgot-password">
              {t('auth.requestNewLink')}
            </Link>
          </AlertDescription>
        </Alert>
      ) : (
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <FormField label={t('auth.newPassword')} error={te(errors.password?.message)} hint={t('auth.passwordHint')}>
            <Input type="password" autoComplete="new-password" autoFocus {...form.register('password')} />
          </FormField>
          <FormField label={t('auth.confirmPassword')} error={te(errors.confirm?.message)}>
            <Input type="password" autoComplete="new-password" {...form.register('confirm')} />
          </FormField>
          <Button type="submit" disabled={isSubmitting}>
            {isSubmitting && <Spinner />}
            {t('auth.setPassword')}
          </Button>
        </form>
      )}
    </AuthCard>
  )
}
