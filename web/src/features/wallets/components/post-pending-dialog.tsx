import { zodResolver } from '@hookform/resolvers/zod'
import { useForm } from 'react-hook-form'
import toast from 'react-hot-toast'

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
import { shortHash } from '@/lib/tron'

import { usePostPending, type Pending } from '../api'
import { messages } from '../i18n'
import { postPendingDefaults, postPendingSchema, postPendingToBody, type PostPendingValues } from '../schemas'

const FIELDS = ['counter_account_id', 'category_id', 'counterparty_id', 'project_id', 'fee_expense_account_id', 'date', 'description']

/** Books a pending transfer: the other side (income, expense, payable or another wallet) and its tags. */
export function PostPendingDialog({ accountId, item, onClose }: { accountId: string; item: Pending | null; onClose: () => void }) {
  const { t } = useI18n(messages)
  return (
    <Dialog open={!!item} onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>{t('wallet.postTitle')}</DialogTitle>
          <DialogDescription>
            {item && t('wallet.postDescription', { amount: `${item.amount} ${item.token}`, hash: shortHash(item.tx_hash) })}
          </DialogDescription>
        </DialogHeader>
        {item && <PostForm key={item.tx_hash} accountId={accountId} item={item} onDone={onClose} />}
      </DialogContent>
    </Dialog>
  )
}

function PostForm({ accountId, item, onDone }: { accountId: string; item: Pending; onDone: () => void }) {
  const { t, te } = useI18n(messages)
  const accounts = useAllAccounts()
  const projects = useAllProjects()
  const categories = useAllCategories()
  const counterparties = useAllCounterparties()
  const post = usePostPending()
  const form = useForm<PostPendingValues>({ resolver: zodResolver(postPendingSchema), defaultValues: postPendingDefaults })
  const { errors, isSubmitting } = form.formState

  const loadError = accounts.error ?? projects.error ?? categories.error ?? counterparties.error
  if (loadError) return <ErrorState error={loadError} />
  if (accounts.isPending || projects.isPending || categories.isPending || counterparties.isPending) return <LoadingState rows={3} />

  const incoming = item.direction === 'in'
  const outgoing = item.direction === 'out'
  const counterTypes = incoming ? (['income', 'asset', 'liability', 'equity'] as const) : (['expense', 'liability', 'asset', 'equity'] as const)
  const others = (accounts.data ?? []).filter((a) => a.id !== accountId)
  const categoryKind = incoming ? 'income' : 'expense'
  const cats = categoryTree((categories.data ?? []).filter((c) => !c.archived && c.kind === categoryKind))

  const submit = form.handleSubmit(async (v) => {
    try {
      await post.mutateAsync({ accountId, hash: item.tx_hash, body: postPendingToBody(v) })
      toast.success(t('wallet.posted'))
      onDone()
    } catch (e) {
      form.setError('root.server', { type: 'server', message: e instanceof Error ? e.message : String(e) })
      applyServerError(e, form.setError, FIELDS)
    }
  })

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate aria-label={t('wallet.postTitle')}>
      <FormField label={incoming ? t('wallet.counterIn') : t('wallet.counterOut')} error={te(errors.counter_account_id?.message)} hint={t('wallet.counterHint')}>
        <NativeSelect {...form.register('counter_account_id')}>
          <option value="">{t('tx.chooseAccount')}</option>
          <AccountOptions accounts={others} types={[...counterTypes]} />
        </NativeSelect>
      </FormField>
      <div className="grid grid-cols-3 gap-3">
        <FormField label={t('tx.category')} error={te(errors.category_id?.message)}>
          <NativeSelect {...form.register('category_id')}>
            <option value="">{t('common.none')}</option>
            {cats.map(({ item: c, depth }) => (
              <option key={c.id} value={c.id}>
                {'\u00a0\u00a0'.repeat(depth)}
                {c.name}
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
      </div>
      {outgoing && (
        <FormField label={t('wallet.feeExpense')} error={te(errors.fee_expense_account_id?.message)} hint={t('wallet.feeHint')}>
          <NativeSelect {...form.register('fee_expense_account_id')}>
            <option value="">{t('common.none')}</option>
            <AccountOptions accounts={accounts.data ?? []} types={['expense']} />
          </NativeSelect>
        </FormField>
      )}
      <div className="grid grid-cols-[10rem_1fr] gap-3">
        <FormField label={t('common.date')} error={te(errors.date?.message)} hint={t('wallet.dateHint')}>
          <Input type="date" {...form.register('date')} />
        </FormField>
        <FormField label={t('common.description')} error={te(errors.description?.message)}>
          <Input placeholder={t('wallet.descriptionPlaceholder')} {...form.register('description')} />
        </FormField>
      </div>
      {errors.root?.server && (
        <Alert variant="destructive">
          <AlertDescription>{errors.root.server.message}</AlertDescription>
        </Alert>
      )}
      <FormDialogFooter onCancel={onDone} isSubmitting={isSubmitting} submitLabel={t('wallet.post')} />
    </form>
  )
}
