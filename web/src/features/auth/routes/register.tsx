import { zodResolver } from '@hookform/resolvers/zod'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'
import { Link, useNavigate } from 'react-router'

import { FormField } from '@/components/form-field'
import { Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { useSession } from '@/lib/auth'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'

import { useRegister } from '../api'
import { AuthCard } from '../components/auth-card'
import { registerSchema, type RegisterValues } from '../schemas'

export default function RegisterPage() {
  const { t, te } = useI18n()
  const { signIn } = useSession()
  const navigate = useNavigate()
  const register = useRegister()
  const form = useForm<RegisterValues>({
    resolver: zodResolver(registerSchema),
    defaultValues: { name: '', email: '', password: '', confirm: '' },
  })
  const { errors, isSubmitting } = form.formState

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await register.mutateAsync({ email: v.email, password: v.password, name: v.name || null })
      toast.success(t('auth.registered'))
      await signIn(v.email, v.password)
      navigate('/', { replace: true })
    } catch (e) {
      applyServerError(e, form.setError, ['email', 'password', 'name'])
    }
  })

  return (
    <AuthCard
      title={t('auth.createAccount')}
      description={t('auth.firstUserAdmin')}
      footer={
        <span>
          {t('auth.haveAccount')}{' '}
          <Link className="underline" to="/login">
            {t('auth.signIn')}
          </Link>
        </span>
      }
    >
      <form onSubmit={onSubmit} className="grid gap-4" noValidate>
        <FormField label={t('auth.name')} error={te(errors.name?.message)}>
          <Input autoComplete="name" autoFocus {...form.register('name')} />
        </FormField>
        <FormField label={t('auth.email')} error={te(errors.email?.message)}>
          <Input type="email" autoComplete="email" {...form.register('email')} />
        </FormField>
        <FormField label={t('auth.password')} error={te(errors.password?.message)} hint={t('auth.passwordHint')}>
          <Input type="password" autoComplete="new-password" {...form.register('password')} />
        </FormField>
        <FormField label={t('auth.confirmPassword')} error={te(errors.confirm?.message)}>
          <Input type="password" autoComplete="new-password" {...form.register('confirm')} />
        </FormField>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting && <Spinner />}
          {t('auth.register')}
        </Button>
      </form>
    </AuthCard>
  )
}
