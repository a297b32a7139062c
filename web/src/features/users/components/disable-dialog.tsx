import toast from 'react-hot-toast'

import { Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { useI18n } from '@/lib/i18n'

import { useUpdateUser, type UserDetail } from '../api'
import { messages } from '../i18n'

/** Confirms disabling a user: their sessions end and they cannot sign in until enabled again. */
export function DisableUserDialog({ user, onClose }: { user: UserDetail | null; onClose: () => void }) {
  const { t } = useI18n(messages)
  const update = useUpdateUser()
  return (
    <Dialog open={!!user} onOpenChange={(o) => !o && onClose()}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{t('users.disableTitle')}</DialogTitle>
          <DialogDescription>{user && t('users.disableDescription', { email: user.email })}</DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <Button variant="outline" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            variant="destructive"
            disabled={update.isPending}
            onClick={() =>
              user &&
              update.mutate(
                { id: user.id, body: { disabled: true } },
                {
                  onSuccess: () => {
                    toast.success(t('users.disabledDone'))
                    onClose()
                  },
                },
              )
            }
          >
            {update.isPending && <Spinner />}
            {t('users.disable')}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
