import { zodResolver } from '@hookform/resolvers/zod'
import { useEffect } from 'react'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'

import { FormDateField } from '@/components/date-field'
import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { Textarea } from '@/components/ui/textarea'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES, normalizeAmountInput } from '@/lib/money'
import { blankToNull } from '@/lib/utils'

import { ACCOUNT_KINDS, ACCOUNT_TYPES, useSaveAccount, type Account } from '../api'
import { messages } from '../i18n'
import { accountSchema, type AccountFormValues } from '../schemas'

const FIELDS = ['name', 'code', 'type', 'kind', 'currency', 'description', 'tron_address', 'opening_balance', 'opening_date'] as const

function defaults(a?: Account | null): AccountFormValues {
  return {
    name: a?.name ?? '',
    code: a?.code ?? '',
    type: a?.type ?? 'asset',
    kind: a?.kind ?? 'bank',
    currency: a?.currency ?? 'USD',
    description: a?.description ?? '',
    tron_address: a?.tron_address ?? '',
    opening_balance: '',
    opening_date: '',
  }
}

export function AccountDialog({ open, onOpenChange, account }: { open: boolean; onOpenChange: (o: boolean) => void; account?: Account | null }) {
  const { t, te } = useI18n(messages)
  const save = useSaveAccount()
  const form = useForm<AccountFormValues>({ resolver: zodResolver(accountSchema), defaultValues: defaults(account) })
  const { reset } = form
  useEffect(() => {
    if (open) reset(defaults(account))
  }, [open, account, reset])
  const { errors, isSubmitting } = form.formState
  // eslint-disable-next-line react-hooks/incompatible-library
  const kind = form.watch('kind')
  const type = form.watch('type')
  const editing = !!account

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      await save.mutateAsync({
        id: account?.id,
        body: {
          name: v.name.trim(),
          code: blankToNull(v.code),
          type: v.type,
          kind: v.kind,
          currency: v.currency,
          description: blankToNull(v.description),
          tron_address: v.kind === 'crypto_wallet' ? blankToNull(v.tron_address) : null,
          opening_balance: editing ? undefined : blankToNull(normalizeAmountInput(v.opening_balance)),
          opening_date: editing ? undefined : blankToNull(v.opening_date),
        },
      })
      toast.success(editing ? t('common.saved') : t('accounts.created'))
      onOpenChange(false)
    } catch (e) {
      applyServerError(e, form.setError, FIELDS)
    }
  })

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{editing ? t('accounts.edit') : t('accounts.new')}</DialogTitle>
          <DialogDescription>{t('accounts.dialogDescription')}</DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <div className="grid grid-cols-3 gap-3">
            <FormField label={t('common.name')} error={te(errors.name?.message)} className="col-span-2">
              <Input autoFocus {...form.register('name')} />
            </FormField>
            <FormField label={t('common.code')} error={te(errors.code?.message)}>
              <Input {...form.register('code')} />
            </FormField>
          </div>
          <div className="grid grid-cols-3 gap-3">
            <FormField label={t('accounts.type')} error={te(errors.type?.message)}>
              <NativeSelect {...form.register('type')}>
                {ACCOUNT_TYPES.map((x) => (
                  <option key={x} value={x}>
                    {t(`accountType.${x}`)}
                  </option>
                ))}
              </NativeSelect>
            </FormField>
            <FormField label={t('accounts.kind')} error={te(errors.kind?.message)}>
              <NativeSelect {...form.register('kind')}>
                {ACCOUNT_KINDS.map((x) => (
                  <option key={x} value={x}>
                    {t(`accountKind.${x}`)}
                  </option>
                ))}
              </NativeSelect>
            </FormField>
            <FormField label={t('common.currency')} error={te(errors.currency?.message)}>
              <NativeSelect {...form.register('currency')}>
                {CURRENCIES.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </NativeSelect>
            </FormField>
          </div>
          {kind === 'crypto_wallet' && (
            <FormField label={t('accounts.tronAddress')} error={te(errors.tron_address?.message)} hint={t('accounts.tronHint')}>
              <Input className="font-mono" {...form.register('tron_address')} />
            </FormField>
          )}
          {!editing && (type === 'asset' || type === 'liability') && (
            <div className="grid grid-cols-2 gap-3">
              <FormField label={t('accounts.openingBalance')} error={te(errors.opening_balance?.message)}>
                <Input inputMode="decimal" {...form.register('opening_balance')} />
              </FormField>
              <FormField label={t('accounts.openingDate')} error={te(errors.opening_date?.message)}>
                <FormDateField control={form.control} name="opening_date" />
              </FormField>
            </div>
          )}
          <FormField label={t('common.description')} error={te(errors.description?.message)}>
            <Textarea rows={2} {...form.register('description')} />
          </FormField>
          <FormDialogFooter onCancel={() => onOpenChange(false)} isSubmitting={isSubmitting} />
        </form>
      </DialogContent>
    </Dialog>
  )
}
