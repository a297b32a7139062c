import { useState, type FormEvent } from 'react'
import toast from 'react-hot-toast'

import { AccountOptions } from '@/components/account-options'
import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { NativeSelect } from '@/components/ui/native-select'
import { useAllAccounts } from '@/hooks/use-lookups'
import { useI18n } from '@/lib/i18n'

import { useIssueInvoice, usePayInvoice, type InvoiceDetail, type PaymentIn } from '../api'
import { messages } from '../i18n'
import { PaymentForm } from './payment-form'

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e))

function ActionDialog({ open, onOpenChange, title, description, children }: { open: boolean; onOpenChange: (o: boolean) => void; title: string; description: string; children: React.ReactNode }) {
  const { t } = useI18n(messages)
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        {open && children}
      </DialogContent>
    </Dialog>
  )
}

/** Issue: posts the invoice against its control account (AR/AP) and the income or expense account. */
export function IssueDialog({ invoice, open, onOpenChange }: { invoice: InvoiceDetail; open: boolean; onOpenChange: (o: boolean) => void }) {
  const { t } = useI18n(messages)
  const accounts = useAllAccounts()
  const issue = useIssueInvoice()
  const [control, setControl] = useState('')
  const [account, setAccount] = useState('')
  const [error, setError] = useState('')
  const receivable = invoice.direction === 'receivable'
  const inCurrency = (accounts.data ?? []).filter((a) => a.currency === invoice.currency)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!control || !account) return setError(t('validation.required'))
    try {
      await issue.mutateAsync({ id: invoice.id, body: { control_account_id: control, account_id: account } })
      toast.success(t('invoices.issued'))
      onOpenChange(false)
    } catch (err) {
      setError(errorText(err))
    }
  }
  return (
    <ActionDialog open={open} onOpenChange={onOpenChange} title={t('invoices.issueTitle')} description={t('invoices.issueDescription')}>
      <form onSubmit={submit} className="grid gap-4" noValidate aria-label={t('invoices.issueTitle')}>
        <FormField label={receivable ? t('invoices.receivableAccount') : t('invoices.payableAccount')}>
          <NativeSelect value={control} onChange={(e) => setControl(e.target.value)}>
            <option value="">{t('tx.chooseAccount')}</option>
            <AccountOptions accounts={inCurrency} types={[receivable ? 'asset' : 'liability']} />
          </NativeSelect>
        </FormField>
        <FormField label={receivable ? t('invoices.incomeAccount') : t('invoices.expenseAccount')}>
          <NativeSelect value={account} onChange={(e) => setAccount(e.target.value)}>
            <option value="">{t('tx.chooseAccount')}</option>
            <AccountOptions accounts={inCurrency} types={[receivable ? 'income' : 'expense']} />
          </NativeSelect>
        </FormField>
        {error && (
          <Alert variant="destructive">
            <AlertDescription>{error}</AlertDescription>
          </Alert>
        )}
        <FormDialogFooter onCancel={() => onOpenChange(false)} isSubmitting={issue.isPending} submitLabel={t('invoices.issue')} />
      </form>
    </ActionDialog>
  )
}

/** Records a payment: a new movement, or an already posted transaction applied to the invoice. */
export function PaymentDialog({ invoice, open, onOpenChange }: { invoice: InvoiceDetail; open: boolean; onOpenChange: (o: boolean) => void }) {
  const { t } = useI18n(messages)
  const accounts = useAllAccounts()
  const pay = usePayInvoice()
  const submit = async (body: PaymentIn) => {
    await pay.mutateAsync({ id: invoice.id, body })
    toast.success(t('invoices.paymentRecorded'))
    onOpenChange(false)
  }
  return (
    <ActionDialog open={open} onOpenChange={onOpenChange} title={t('invoices.paymentTitle')} description={t('invoices.paymentDescription')}>
      <PaymentForm invoice={invoice} accounts={accounts.data ?? []} onSubmit={submit} onCancel={() => onOpenChange(false)} />
    </ActionDialog>
  )
}
