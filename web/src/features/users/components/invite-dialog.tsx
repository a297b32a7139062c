import { zodResolver } from '@hookform/resolvers/zod'
import { Info } from 'lucide-react'
import { useState } from 'react'
import { useForm } from 'react-hook-form'
import { z } from 'zod'

import { CopyField } from '@/components/copy-field'
import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'

import { ROLES, type Role } from '../api'
import { messages } from '../i18n'
import { useCreateInvitation, type CreatedInvitation } from '../invitations'

const schema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'validation.required')
    .max(254, 'validation.tooLong')
    .refine((v) => v === '' || z.email().safeParse(v).success, 'validation.email'),
  role: z.enum(ROLES as [Role, ...Role[]]),
})
type Values = z.infer<typeof schema>

/**
 * Invites a user by email with a role; then shows the link once, with a copy button (it is
 * also mailed when mail is configured; without SMTP the admin passes it on).
 */
export function InviteDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n(messages)
  const [created, setCreated] = useState<CreatedInvitation | null>(null)
  const close = () => {
    setCreated(null)
    onClose()
  }
  return (
    <Dialog open={open} onOpenChange={(o) => !o && close()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{created ? t('invite.sentTitle') : t('invite.title')}</DialogTitle>
          <DialogDescription>{created ? t('invite.sentDescription', { email: created.email }) : t('invite.description')}</DialogDescription>
        </DialogHeader>
        {created ? <InviteLink invitation={created} onDone={close} /> : <InviteForm onCreated={setCreated} onCancel={close} />}
      </DialogContent>
    </Dialog>
  )
}

function InviteForm({ onCreated, onCancel }: { onCreated: (i: CreatedInvitation) => void; onCancel: () => void }) {
  const { t, te } = useI18n(messages)
  const create = useCreateInvitation()
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { email: '', role: 'viewer' } })
  const { errors, isSubmitting } = form.formState
  const onSubmit = form.handleSubmit(async (v) => {
    try {
      onCreated(await create.mutateAsync(v))
    } catch (e) {
      applyServerError(e, form.setError, ['email', 'role'])
    }
  })
  return (
    <form onSubmit={onSubmit} className="grid gap-4" noValidate>
      <FormField label={t('auth.email')} error={te(errors.email?.message)}>
        <Input type="email" autoComplete="off" autoFocus {...form.register('email')} />
      </FormField>
      <FormField label={t('users.role')} error={te(errors.role?.message)} hint={t('invite.roleHint')}>
        <NativeSelect {...form.register('role')}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </NativeSelect>
      </FormField>
      <FormDialogFooter onCancel={onCancel} isSubmitting={isSubmitting} submitLabel={t('invite.send')} />
    </form>
  )
}

function InviteLink({ invitation, onDone }: { invitation: CreatedInvitation; onDone: () => void }) {
  const { t, date } = useI18n(messages)
  return (
    <div className="grid gap-4">
      <CopyField value={invitation.invite_url} label={t('invite.link')} testId="invite-url" />
      <Alert>
        <Info />
        <AlertDescription>{t('invite.linkNote', { role: t(`role.${invitation.role}`), expires: date(invitation.expires_at.slice(0, 10)) })}</AlertDescription>
      </Alert>
      <DialogFooter>
        <Button onClick={onDone}>{t('common.done')}</Button>
      </DialogFooter>
    </div>
  )
}
