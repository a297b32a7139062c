import { zodResolver } from '@hookform/resolvers/zod'
import { TriangleAlert } from 'lucide-react'
import { useState } from 'react'
import { Controller, useForm } from 'react-hook-form'
import { z } from 'zod'

import { CopyField } from '@/components/copy-field'
import { FormDateField } from '@/components/date-field'
import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { useRole } from '@/lib/auth'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'

import { SCOPES, scopeAllowed, toNewToken, useCreateApiToken, type CreatedToken, type Scope } from '../api'
import { messages } from '../i18n'

/** Longest token name accepted here (the server has its own limit and says so). */
const MAX_NAME_CHARS = 100

function schema(today: string) {
  return z.object({
    name: z.string().trim().min(1, 'validation.required').max(MAX_NAME_CHARS, 'validation.tooLong'),
    scopes: z.array(z.enum(SCOPES)).min(1, 'tokens.pickScope'),
    expires: z.string().refine((d) => d === '' || d > today, 'tokens.expiryFuture'),
  })
}
type Values = z.infer<ReturnType<typeof schema>>

/** Creates a token; then shows its secret once, with a copy button and a warning. */
export function CreateTokenDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n(messages)
  const [created, setCreated] = useState<CreatedToken | null>(null)
  const close = () => {
    setCreated(null)
    onClose()
  }
  return (
    <Dialog open={open} onOpenChange={(o) => !o && close()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{created ? t('tokens.createdTitle') : t('tokens.createTitle')}</DialogTitle>
          <DialogDescription>{created ? t('tokens.createdDescription', { name: created.name }) : t('tokens.createDescription')}</DialogDescription>
        </DialogHeader>
        {created ? <TokenSecret token={created} onDone={close} /> : <TokenForm onCreated={setCreated} onCancel={close} />}
      </DialogContent>
    </Dialog>
  )
}

function TokenForm({ onCreated, onCancel }: { onCreated: (t: CreatedToken) => void; onCancel: () => void }) {
  const { t, te } = useI18n(messages)
  const role = useRole()
  const create = useCreateApiToken()
  const today = new Date().toISOString().slice(0, 10)
  const form = useForm<Values>({ resolver: zodResolver(schema(today)), defaultValues: { name: '', scopes: ['read'], expires: '' } })
  const { errors, isSubmitting } = form.formState
  const onSubmit = form.handleSubmit(async (v) => {
    try {
      onCreated(await create.mutateAsync(toNewToken(v)))
    } catch (e) {
      applyServerError(e, form.setError, ['name', 'scopes', 'expires'], (f) => (f === 'expires_at' ? 'expires' : f))
    }
  })
  return (
    <form onSubmit={onSubmit} className="grid gap-4" noValidate>
      <FormField label={t('common.name')} error={te(errors.name?.message)} hint={t('tokens.nameHint')}>
        <Input autoComplete="off" autoFocus {...form.register('name')} />
      </FormField>
      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium">{t('tokens.scopes')}</legend>
        <Controller
          control={form.control}
          name="scopes"
          render={({ field }) => (
            <>
              {SCOPES.map((s) => (
                <ScopeCheckbox key={s} scope={s} allowed={scopeAllowed(s, role)} checked={field.value.includes(s)} onChange={(on) => field.onChange(on ? [...field.value, s] : field.value.filter((x) => x !== s))} />
              ))}
            </>
          )}
        />
        {errors.scopes && <p className="text-destructive text-sm">{te(errors.scopes.message)}</p>}
      </fieldset>
      <FormField label={t('tokens.expires')} error={te(errors.expires?.message)} hint={t('tokens.expiresHint')}>
        <FormDateField control={form.control} name="expires" min={today} />
      </FormField>
      <FormDialogFooter onCancel={onCancel} isSubmitting={isSubmitting} submitLabel={t('tokens.createSubmit')} />
    </form>
  )
}

function ScopeCheckbox({ scope, allowed, checked, onChange }: { scope: Scope; allowed: boolean; checked: boolean; onChange: (on: boolean) => void }) {
  const { t } = useI18n(messages)
  return (
    <label className="flex items-start gap-2 text-sm">
      <Checkbox className="mt-0.5" checked={checked && allowed} disabled={!allowed} onChange={(e) => onChange(e.target.checked)} />
      <span>
        <span className="font-mono">{scope}</span> — {t(`tokens.scope.${scope}`)}
        {!allowed && <span className="text-muted-foreground block text-xs">{t('tokens.scopeNotInRole')}</span>}
      </span>
    </label>
  )
}

function TokenSecret({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  const { t } = useI18n(messages)
  return (
    <div className="grid gap-4">
      <CopyField value={token.token} label={t('tokens.secret')} testId="token-secret" />
      <Alert>
        <TriangleAlert />
        <AlertDescription>{t('tokens.shownOnce')}</AlertDescription>
      </Alert>
      <p className="text-muted-foreground text-sm">{t('tokens.usage')}</p>
      <DialogFooter>
        <Button onClick={onDone}>{t('common.done')}</Button>
      </DialogFooter>
    </div>
  )
}
