import { useState } from 'react'
import toast from 'react-hot-toast'

import { DateField } from '@/components/date-field'
import { Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Label } from '@/components/ui/label'
import { useI18n } from '@/lib/i18n'

import { useReverseTransaction, type Transaction } from '../api'
import { messages } from '../i18n'

export function ReverseDialog({ tx, onClose }: { tx: Transaction | null; onClose: () => void }) {
  const { t, date } = useI18n(messages)
  const reverse = useReverseTransaction()
  const [on, setOn] = useState('')
  return (
    <Dialog open={!!tx} onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{t('tx.reverseTitle')}</DialogTitle>
          <DialogDescription>{tx && t('tx.reverseDescription', { name: tx.description, date: date(tx.date) })}</DialogDescription>
        </DialogHeader>
        <div className="grid gap-1.5">
          <Label htmlFor="reverse-date">{t('tx.reverseDate')}</Label>
          <DateField id="reverse-date" value={on} onChange={setOn} />
          <p className="text-muted-foreground text-xs">{t('tx.reverseDateHint')}</p>
        </div>
        <DialogFooter>
          <Button variant="outline" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            variant="destructive"
            disabled={reverse.isPending}
            onClick={() =>
              tx &&
              reverse.mutate(
                { id: tx.id, date: on || null },
                {
                  onSuccess: () => {
                    toast.success(t('tx.reversedDone'))
                    setOn('')
                    onClose()
                  },
                },
              )
            }
          >
            {reverse.isPending && <Spinner />}
            {t('tx.reverse')}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
