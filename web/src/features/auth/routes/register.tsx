import { zodResolver } from '@hookform/resolvers/zod'
import { MailCheck } from 'lucide-react'
import { useState } from 'react'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'
import { Link, useNavigate, useSearchParams } from 'react-router'

import { FormField } from '@/components/form-field'
import { Spinner } from '@/components/states'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { isApiError } from '@/lib/api/problem'
import { useSession } from '@/lib/auth'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'

import { useRegister, type RegisterBody } from '../api'
import { AuthCard } from '../components/auth-card'
import { messages } from '../i18n'
import { invitedRegisterSchema, registerSchema, type RegisterValues } from '../schemas'

/**
 * Sign-up. An invitation link (`/register?invitation=<token>`, maybe with `&email=`) fixes the
 * address and the role: a known address is filled in and locked, an unknown one may be left
 * to the invitation. Without an invitation only the first user of an empty ledger gets in
 * (the server answers 403 `invitation_required` otherwise, and the page says so).
 */
export default function RegisterPage() {
  const { t, te } = useI18n(messages)
  const { signIn } = useSession()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const invitation = params.get('invitation')?.trim() || null
  const invitedEmail = invitation ? params.get('email')?.trim() || null : null
  const register = useRegister()
  const [outcome, setOutcome] = useState<'invitation_required' | 'check_your_mail' | null>(null)
  const form = useForm<RegisterValues>({
    resolver: zodResolver(invitation ? invitedRegisterSchema : registerSchema),
    defaultValues: { name: '', email: invitedEmail ?? '', password: '', confirm: '' },
  })
  const { errors, isSubmitting } = form.formState

  const onSubmit = form.handleSubmit(async (v) => {
    const body: RegisterBody = { password: v.password, name: v.name || null }
    if (v.email) body.email = v.email
    if (invitation) body.invitation_token = invitation
    try {
      const answer = await register.mutateAsync(body)
      if (!('id' in answer)) {
        setOutcome('check_your_mail')
        return
      }
      toast.success(t('auth.registered'))
      await signIn(answer.email, v.password)
      navigate('/', { replace: true })
    } catch (e) {
      if (isApiError(e) && e.code === 'invitation_required') setOutcome('invitation_required')
      applyServerError(e, form.setError, ['email', 'password', 'name'], (f) => (f === 'invitation_token' ? 'email' : f))
    }
  })

  if (outcome === 'check_your_mail') {
    return (
      <AuthCard title={t('auth.checkMailTitle')} footer={<BackToSignIn />}>
        <Alert>
          <MailCheck />
          <AlertDescription>{t('auth.checkMail')}</AlertDescription>
        </Alert>
      </AuthCard>
    )
  }

  return (
    <AuthCard
      title={invitation ? t('auth.acceptInvitation') : t('auth.createAccount')}
      description={invitation ? t('auth.invitedDescription') : t('auth.firstUserAdmin')}
      footer={<BackToSignIn />}
    >
      <form onSubmit={onSubmit} className="grid gap-4" noValidate>
        {outcome === 'invitation_required' && (
          <Alert variant="destructive" data-testid="invitation-required">
            <AlertDescription>{t('auth.invitationRequired')}</AlertDescription>
          </Alert>
        )}
        <FormField label={t('auth.name')} error={te(errors.name?.message)}>
          <Input autoComplete="name" autoFocus {...form.register('name')} />
        </FormField>
        <FormField
          label={t('auth.email')}
          error={te(errors.email?.message)}
          hint={invitedEmail ? t('auth.emailFromInvitation') : invitation ? t('auth.emailOptionalInvited') : undefined}
        >
          <Input type="email" autoComplete="email" readOnly={!!invitedEmail} aria-readonly={!!invitedEmail} className={invitedEmail ? 'bg-muted' : undefined} {...form.register('email')} />
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

function BackToSignIn() {
  const { t } = useI18n(messages)
  return (
    <span>
      {t('auth.haveAccount')}{' '}
      <Link className="underline" to="/login">
        {t('auth.signIn')}
      </Link>
    </span>
  )
}
