import { zodResolver } from '@hookform/resolvers/zod'
import { useForm } from 'react-hook-form'
import { Link, useNavigate, useSearchParams } from 'react-router'

import { FormField } from '@/components/form-field'
import { Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { useSession } from '@/lib/auth'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'

import { AuthCard } from '../components/auth-card'
import { messages } from '../i18n'
import { loginSchema, type LoginValues } from '../schemas'

export default function LoginPage() {
  const { t, te } = useI18n(messages)
  const { signIn } = useSession()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const form = useForm<LoginValues>({ resolver: zodResolver(loginSchema), defaultValues: { email: '', password: '' } })
  const { errors, isSubmitting } = form.formState

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await signIn(v.email, v.password)
      const next = params.get('next')
      navigate(next && next.startsWith('/') ? next : '/', { replace: true })
    } catch (e) {
      applyServerError(e, form.setError, ['email', 'password'])
    }
  })

  return (
    <AuthCard
      title={t('auth.signIn')}
      footer={
        <>
          <Link className="underline" to="/forgot-password">
            {t('auth.forgotLink')}
          </Link>
          <span>
            {t('auth.noAccount')}{' '}
            <Link className="underline" to="/register">
              {t('auth.register')}
            </Link>
          </span>
        </>
      }
    >
      <form onSubmit={onSubmit} className="grid gap-4" noValidate>
        <FormField label={t('auth.email')} error={te(errors.email?.message)}>
          <Input type="email" autoComplete="email" autoFocus {...form.register('email')} />
        </FormField>
        <FormField label={t('auth.password')} error={te(errors.password?.message)}>
          <Input type="password" autoComplete="current-password" {...form.register('password')} />
        </FormField>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting && <Spinner />}
          {t('auth.signIn')}
        </Button>
      </form>
    </AuthCard>
  )
}
