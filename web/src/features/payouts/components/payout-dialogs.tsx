import { useState, type ReactNode } from 'react'
import toast from 'react-hot-toast'

import { LoadingState } from '@/components/states'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { useAllAccounts, useAllCategories } from '@/hooks/use-lookups'
import { useI18n } from '@/lib/i18n'
import { today } from '@/lib/utils'

import { useApprovePayout, usePayPayout, type Payout } from '../api'
import { messages } from '../i18n'
import { PayoutApproveForm } from './payout-approve-form'
import { PayoutPayForm } from './payout-pay-form'

function Frame({ open, onOpenChange, title, description, children }: { open: boolean; onOpenChange: (o: boolean) => void; title: string; description: string; children: ReactNode }) {
  const { t } = useI18n(messages)
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        {children}
      </DialogContent>
    </Dialog>
  )
}

export function ApprovePayoutDialog({ payout, open, onOpenChange }: { payout: Payout; open: boolean; onOpenChange: (o: boolean) => void }) {
  const { t } = useI18n(messages)
  const approve = useApprovePayout()
  const accounts = useAllAccounts()
  const categories = useAllCategories()
  return (
    <Frame open={open} onOpenChange={onOpenChange} title={t('payouts.approveTitle')} description={t('payouts.approveDescription')}>
      {accounts.data && categories.data ? (
        <PayoutApproveForm
          currency={payout.currency}
          accounts={accounts.data}
          categories={categories.data}
          defaults={{ receivable_account_id: '', revenue_account_id: '', category_id: '', date: payout.to }}
          onCancel={() => onOpenChange(false)}
          onSubmit={async (body) => {
            await approve.mutateAsync({ id: payout.id, body })
            toast.success(t('payouts.approvedDone'))
            onOpenChange(false)
          }}
        />
      ) : (
        <LoadingState rows={3} />
      )}
    </Frame>
  )
}

export function PayPayoutDialog({ payout, open, onOpenChange }: { payout: Payout; open: boolean; onOpenChange: (o: boolean) => void }) {
  const { t } = useI18n(messages)
  const pay = usePayPayout()
  const accounts = useAllAccounts()
  // One date per opening: today, or the approval day when that is later.
  const [day] = useState(() => (payout.approved_on && payout.approved_on > today() ? payout.approved_on : today()))
  return (
    <Frame open={open} onOpenChange={onOpenChange} title={t('payouts.payTitle')} description={t('payouts.payDescription')}>
      {accounts.data ? (
        <PayoutPayForm
          currency={payout.currency}
          total={payout.total}
          accounts={accounts.data}
          defaults={{ account_id: '', amount: '', tx_hash: '', date: day }}
          onCancel={() => onOpenChange(false)}
          onSubmit={async (body) => {
            await pay.mutateAsync({ id: payout.id, body })
            toast.success(t('payouts.paidDone'))
            onOpenChange(false)
          }}
        />
      ) : (
        <LoadingState rows={3} />
      )}
    </Frame>
  )
}
