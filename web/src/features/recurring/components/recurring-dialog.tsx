import { zodResolver } from '@hookform/resolvers/zod'
import { useForm, useWatch } from 'react-hook-form'
import toast from 'react-hot-toast'
import { useNavigate } from 'react-router'

import { AccountOptions } from '@/components/account-options'
import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { ErrorState, LoadingState } from '@/components/states'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { categoryTree, useAllAccounts, useAllCategories, useAllCounterparties, useAllProjects } from '@/hooks/use-lookups'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { today } from '@/lib/utils'

import { FREQUENCIES, useCreateRecurring, useUpdateRecurring, type Recurring } from '../api'
import { messages } from '../i18n'
import { FORM_FIELDS, mapServerField, MAX_INTERVAL, recurringDefaults, recurringSchema, recurringToBody, WEEKDAYS, type RecurringValues } from '../schemas'

const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1)

export function RecurringDialog({ open, onOpenChange, editing }: { open: boolean; onOpenChange: (o: boolean) => void; editing?: Recurring | null }) {
  const { t } = useI18n(messages)
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-3xl">
        <DialogHeader>
          <DialogTitle>{editing ? t('recurring.editTitle') : t('recurring.newTitle')}</DialogTitle>
          <DialogDescription>{t('recurring.formDescription')}</DialogDescription>
        </DialogHeader>
        {open && <RecurringForm key={editing?.id ?? 'new'} editing={editing} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  )
}

function RecurringForm({ editing, onDone }: { editing?: Recurring | null; onDone: () => void }) {
  const { t, te, date } = useI18n(messages)
  const navigate = useNavigate()
  const accounts = useAllAccounts()
  const projects = useAllProjects()
  const categories = useAllCategories()
  const counterparties = useAllCounterparties()
  const create = useCreateRecurring()
  const update = useUpdateRecurring()
  const form = useForm<RecurringValues>({ resolver: zodResolver(recurringSchema), defaultValues: recurringDefaults(editing, today()) })
  const { errors, isSubmitting } = form.formState
  const [frequency, kind, day] = useWatch({ control: form.control, name: ['schedule.frequency', 'kind', 'schedule.day'] })

  const loadError = accounts.error ?? projects.error ?? categories.error ?? counterparties.error
  if (loadError) return <ErrorState error={loadError} />
  if (accounts.isPending || projects.isPending || categories.isPending || counterparties.isPending) return <LoadingState rows={4} />

  const submit = form.handleSubmit(async (v) => {
    const body = recurringToBody(v, editing)
    try {
      const saved = editing ? await update.mutateAsync({ id: editing.id, body }) : await create.mutateAsync(body)
      toast.success(editing ? t('recurring.saved') : t('recurring.created'))
      onDone()
      if (!editing) void navigate(`/recurring/${saved.id}`)
    } catch (e) {
      form.setError('root.server', { type: 'server', message: e instanceof Error ? e.message : String(e) })
      applyServerError(e, form.setError, FORM_FIELDS, mapServerField)
    }
  })

  const [moneyTypes, otherTypes] =
    kind === 'income'
      ? [['asset', 'liability'] as const, ['income'] as const]
      : kind === 'expense'
        ? [['asset', 'liability'] as const, ['expense'] as const]
        : [['asset', 'liability', 'equity'] as const, ['asset', 'liability', 'equity'] as const]
  const categoryKind = kind === 'income' || kind === 'expense' ? kind : undefined
  const cats = categoryTree((categories.data ?? []).filter((c) => !c.archived && (!categoryKind || c.kind === categoryKind)))
  const se = errors.schedule
  const monthEnd = frequency === 'monthly' && Number(day) >= 29

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate aria-label={t('recurring.form')}>
      <div className="grid grid-cols-[1fr_10rem_10rem] gap-3">
        <FormField label={t('common.name')} error={te(errors.name?.message)}>
          <Input {...form.register('name')} />
        </FormField>
        <FormField label={t('recurring.start')} error={te(errors.start?.message)}>
          <Input type="date" {...form.register('start')} />
        </FormField>
        <FormField label={t('recurring.end')} error={te(errors.end?.message)} hint={t('recurring.endHint')}>
          <Input type="date" {...form.register('end')} />
        </FormField>
      </div>
      <fieldset className="grid gap-3 rounded-md border p-3">
        <legend className="px-1 text-sm font-medium">{t('recurring.schedule')}</legend>
        <div className="grid grid-cols-[12rem_8rem_1fr] items-start gap-3">
          <FormField label={t('recurring.frequency')}>
            <NativeSelect {...form.register('schedule.frequency')}>
              {FREQUENCIES.map((f) => (
                <option key={f} value={f}>
                  {t(`frequency.${f}`)}
                </option>
              ))}
            </NativeSelect>
          </FormField>
          {frequency !== 'cron' && (
            <FormField label={t('recurring.interval')} error={te(se?.interval?.message)} hint={t(`recurring.intervalHint.${frequency}`)}>
              <Input inputMode="numeric" max={MAX_INTERVAL} {...form.register('schedule.interval')} />
            </FormField>
          )}
          {frequency === 'weekly' && (
            <div className="grid gap-1.5">
              <span className="text-sm font-medium" id="weekdays-label">
                {t('recurring.weekdays')}
              </span>
              <div className="flex flex-wrap gap-2" role="group" aria-labelledby="weekdays-label">
                {WEEKDAYS.map((d) => (
                  <label key={d} className="flex items-center gap-1 text-sm">
                    <input type="checkbox" value={d} {...form.register('schedule.weekdays')} />
                    {t(`weekday.${d}`)}
                  </label>
                ))}
              </div>
              {se?.weekdays && (
                <p className="text-destructive text-sm" role="alert">
                  {te(se.weekdays.message)}
                </p>
              )}
            </div>
          )}
          {frequency === 'monthly' && (
            <FormField label={t('recurring.dayOfMonth')} error={te(se?.day?.message)} hint={monthEnd ? t('recurring.monthEnd', { day }) : t('recurring.monthEndShort')}>
              <Input inputMode="numeric" {...form.register('schedule.day')} />
            </FormField>
          )}
          {frequency === 'yearly' && (
            <div className="grid grid-cols-2 gap-3">
              <FormField label={t('recurring.month')} error={te(se?.month?.message)}>
                <NativeSelect {...form.register('schedule.month')}>
                  {MONTHS.map((m) => (
                    <option key={m} value={String(m)}>
                      {t(`month.${m}` as 'month.1')}
                    </option>
                  ))}
                </NativeSelect>
              </FormField>
              <FormField label={t('recurring.day')} error={te(se?.day?.message)} hint={t('recurring.feb29')}>
                <Input inputMode="numeric" {...form.register('schedule.day')} />
              </FormField>
            </div>
          )}
          {frequency === 'cron' && (
            <FormField label={t('recurring.cron')} error={te(se?.expression?.message)} hint={t('recurring.cronHint')}>
              <Input className="font-mono" placeholder="0 9 * * 1-5" {...form.register('schedule.expression')} />
            </FormField>
          )}
        </div>
      </fieldset>
      <fieldset className="grid gap-3 rounded-md border p-3">
        <legend className="px-1 text-sm font-medium">{t('recurring.template')}</legend>
        <div className="grid grid-cols-[10rem_1fr] gap-3">
          <FormField label={t('tx.kind')}>
            <NativeSelect {...form.register('kind')}>
              <option value="income">{t('txKind.income')}</option>
              <option value="expense">{t('txKind.expense')}</option>
              <option value="transfer">{t('txKind.transfer')}</option>
              {editing && <option value="entries">{t('recurring.keepEntries')}</option>}
            </NativeSelect>
          </FormField>
          <FormField label={t('common.description')} error={te(errors.description?.message)}>
            <Input {...form.register('description')} />
          </FormField>
        </div>
        {kind === 'entries' ? (
          <p className="text-muted-foreground text-sm">{t('recurring.entriesKept', { count: editing?.template.entries.length ?? 0 })}</p>
        ) : (
          <div className="grid grid-cols-[1fr_1fr_10rem] gap-3">
            <FormField label={kind === 'income' ? t('tx.receivedInto') : kind === 'expense' ? t('tx.paidFrom') : t('tx.from')} error={te(errors.account_id?.message)}>
              <NativeSelect {...form.register('account_id')}>
                <option value="">{t('tx.chooseAccount')}</option>
                <AccountOptions accounts={accounts.data ?? []} types={[...moneyTypes]} />
              </NativeSelect>
            </FormField>
            <FormField label={kind === 'income' ? t('tx.incomeAccount') : kind === 'expense' ? t('tx.expenseAccount') : t('tx.to')} error={te(errors.other_account_id?.message)}>
              <NativeSelect {...form.register('other_account_id')}>
                <option value="">{t('tx.chooseAccount')}</option>
                <AccountOptions accounts={accounts.data ?? []} types={[...otherTypes]} />
              </NativeSelect>
            </FormField>
            <FormField label={t('common.amount')} error={te(errors.amount?.message)}>
              <Input inputMode="decimal" className="text-right tabular-nums" {...form.register('amount')} />
            </FormField>
          </div>
        )}
        <div className="grid grid-cols-3 gap-3">
          <FormField label={t('tx.project')} error={te(errors.project_id?.message)}>
            <NativeSelect {...form.register('project_id')}>
              <option value="">{t('common.none')}</option>
              {(projects.data ?? [])
                .filter((p) => !p.archived)
                .map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
            </NativeSelect>
          </FormField>
          <FormField label={t('tx.category')} error={te(errors.category_id?.message)}>
            <NativeSelect {...form.register('category_id')}>
              <option value="">{t('common.none')}</option>
              {cats.map(({ item, depth }) => (
                <option key={item.id} value={item.id}>
                  {'\u00a0\u00a0'.repeat(depth)}
                  {item.name}
                </option>
              ))}
            </NativeSelect>
          </FormField>
          <FormField label={t('tx.counterparty')} error={te(errors.counterparty_id?.message)}>
            <NativeSelect {...form.register('counterparty_id')}>
              <option value="">{t('common.none')}</option>
              {(counterparties.data ?? [])
                .filter((c) => !c.archived)
                .map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
            </NativeSelect>
          </FormField>
        </div>
        <FormField label={t('tx.tags')} error={te(errors.tags?.message)} hint={t('tx.tagsHint')}>
          <Input {...form.register('tags')} />
        </FormField>
      </fieldset>
      {editing && editing.handled_through && <p className="text-muted-foreground text-sm">{t('recurring.editNote', { date: date(editing.handled_through) })}</p>}
      {errors.root?.server && (
        <Alert variant="destructive">
          <AlertDescription>{errors.root.server.message}</AlertDescription>
        </Alert>
      )}
      <FormDialogFooter onCancel={onDone} isSubmitting={isSubmitting} submitLabel={editing ? t('common.save') : t('recurring.create')} />
    </form>
  )
}
