import { zodResolver } from '@hookform/resolvers/zod'
import { useForm } from 'react-hook-form'
import { Link } from 'react-router'
import type { z } from 'zod'

import { FormField } from '@/components/form-field'
import { Spinner } from '@/components/states'
import { Alert, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'

import { useForgotPassword } from '../api'
import { AuthCard } from '../components/auth-card'
import { messages } from '../i18n'
import { forgotSchema } from '../schemas'

export default function ForgotPasswordPage() {
  const { t, te } = useI18n(messages)
  const forgot = useForgotPassword()
  const form = useForm<z.infer<typeof forgotSchema>>({ resolver: zodResolver(forgotSchema), defaultValues: { email: '' } })
  const { errors, isSubmitting } = form.formState

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await forgot.mutateAsync(v.email)
    } catch (e) {
      applyServerError(e, form.setError, ['email'])
    }
  })

  return (
    <AuthCard
      title={t('auth.forgotTitle')}
      description={t('auth.forgotDescription')}
      footer={
        <Link className="underline" to="/login">
          {t('auth.backToSignIn')}
        </Link>
      }
    >
      {forgot.isSuccess ? (
        <Alert>
          <AlertTitle>{t('auth.forgotSent')}</AlertTitle>
        </Alert>
      ) : (
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <FormField label={t('auth.email')} error={te(errors.email?.message)}>
            <Input type="email" autoComplete="email" autoFocus {...form.register('email')} />
          </FormField>
          <Button type="submit" disabled={isSubmitting}>
            {isSubmitting && <Spinner />}
            {t('auth.sendLink')}
          </Button>
        </form>
      )}
    </AuthCard>
  )
}
