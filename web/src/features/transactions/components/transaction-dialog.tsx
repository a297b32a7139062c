import { useRef } from 'react'
import toast from 'react-hot-toast'

import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { useAllAccounts, useAllCategories, useAllCounterparties, useAllProjects } from '@/hooks/use-lookups'
import { ApiError, isApiError } from '@/lib/api/problem'
import { useI18n, type MessageKey } from '@/lib/i18n'
import { cn, uuid } from '@/lib/utils'

import { useEditTransaction, usePostTransaction, type Transaction } from '../api'
import { messages } from '../i18n'
import type { FormKind, Refs } from '../lib/meta'
import type { TransactionBody } from './form-types'
import { JournalForm } from './journal-form'
import { SimpleForm } from './simple-form'
import { TransferForm } from './transfer-form'

const KINDS: { kind: FormKind; label: MessageKey }[] = [
  { kind: 'income', label: 'txKind.income' },
  { kind: 'expense', label: 'txKind.expense' },
  { kind: 'transfer', label: 'txKind.transfer' },
  { kind: 'journal', label: 'txKind.journal' },
]

export function TransactionDialog({
  open,
  onOpenChange,
  kind,
  onKindChange,
  editing,
}: {
  open: boolean
  onOpenChange: (o: boolean) => void
  kind: FormKind
  onKindChange: (k: FormKind) => void
  editing?: Transaction | null
}) {
  const { t } = useI18n(messages)
  const accounts = useAllAccounts()
  const projects = useAllProjects()
  const categories = useAllCategories()
  const counterparties = useAllCounterparties()
  const post = usePostTransaction()
  const edit = useEditTransaction()
  // One key per submission attempt: a double submit or a retry after a lost answer cannot
  // post twice. A refused submission gets a fresh key (the next body differs).
  const key = useRef<string | null>(null)

  const loading = accounts.isPending || projects.isPending || categories.isPending || counterparties.isPending
  const error = accounts.error ?? projects.error ?? categories.error ?? counterparties.error
  const refs: Refs | null = loading || error
    ? null
    : { accounts: accounts.data ?? [], projects: projects.data ?? [], categories: categories.data ?? [], counterparties: counterparties.data ?? [] }

  const onSubmit = async (body: TransactionBody) => {
    key.current ??= uuid()
    try {
      if (editing) await edit.mutateAsync({ id: editing.id, body: { ...body, idempotency_key: key.current } })
      else await post.mutateAsync({ ...body, idempotency_key: key.current })
    } catch (e) {
      if (isApiError(e) && e.status >= 400 && e.status < 500) key.current = null
      // A posting dated in a closed month belongs in a later open day, marked as its adjustment:
      // the refusal says so under the field that does it.
      if (isApiError(e) && e.code === 'period_closed') {
        throw new ApiError(e.status, { ...e.problem, field: 'adjusts', detail: `${e.message} ${t('tx.periodClosedHint')}` }, e.message)
      }
      throw e
    }
    key.current = null
    toast.success(editing ? t('tx.edited') : t('tx.posted'))
    onOpenChange(false)
  }

  const close = () => onOpenChange(false)
  const formKey = `${kind}-${editing?.id ?? 'new'}`

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (!o) key.current = null
        onOpenChange(o)
      }}
    >
      <DialogContent closeLabel={t('common.close')} className={cn('sm:max-w-3xl', kind === 'journal' && 'sm:max-w-5xl')}>
        <DialogHeader>
          <DialogTitle>{editing ? t('tx.editTitle') : t('tx.newTitle')}</DialogTitle>
          <DialogDescription>{editing ? t('tx.editDescription') : t('tx.newDescription')}</DialogDescription>
        </DialogHeader>
        <div role="tablist" aria-label={t('tx.kind')} className="bg-muted inline-flex w-fit gap-1 rounded-lg p-1">
          {KINDS.map((k) => (
            <Button
              key={k.kind}
              type="button"
              role="tab"
              aria-selected={kind === k.kind}
              variant={kind === k.kind ? 'default' : 'ghost'}
              size="sm"
              onClick={() => onKindChange(k.kind)}
            >
              {t(k.label)}
            </Button>
          ))}
        </div>
        {error ? (
          <ErrorState error={error} />
        ) : !refs ? (
          <LoadingState rows={4} />
        ) : kind === 'journal' ? (
          <JournalForm key={formKey} refs={refs} initial={editing} onSubmit={onSubmit} onCancel={close} />
        ) : kind === 'transfer' ? (
          <TransferForm key={formKey} refs={refs} initial={editing?.kind === 'transfer' ? editing : null} onSubmit={onSubmit} onCancel={close} />
        ) : (
          <SimpleForm key={formKey} kind={kind} refs={refs} initial={editing?.kind === kind ? editing : null} onSubmit={onSubmit} onCancel={close} />
        )}
      </DialogContent>
    </Dialog>
  )
}
