import { useQueryClient } from '@tanstack/react-query'
import { Hourglass } from 'lucide-react'
import { useNavigate } from 'react-router'

import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card'
import { ME_KEY, useSession } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

/**
 * Shown instead of the app to a user without a role yet (open registration): they can read
 * nothing until an administrator gives them one, so the app's pages would only fail.
 */
export function PendingAccess() {
  const { t } = useI18n()
  const { user, signOut } = useSession()
  const navigate = useNavigate()
  const qc = useQueryClient()
  return (
    <div className="bg-muted/40 flex min-h-svh items-center justify-center p-4">
      <Card className="w-full max-w-md" data-testid="pending-access">
        <CardHeader>
          <Hourglass className="text-muted-foreground mb-2 size-8" aria-hidden />
          <CardTitle className="text-xl">
            <h1>{t('pending.title')}</h1>
          </CardTitle>
          <CardDescription>{t('pending.description', { email: user?.email ?? '' })}</CardDescription>
        </CardHeader>
        <CardContent className="text-muted-foreground text-sm">{t('pending.next')}</CardContent>
        <CardFooter className="flex-wrap gap-2">
          <Button variant="outline" onClick={() => void qc.invalidateQueries({ queryKey: ME_KEY })}>
            {t('pending.check')}
          </Button>
          <Button variant="ghost" onClick={() => void signOut().then(() => navigate('/login'))}>
            {t('auth.signOut')}
          </Button>
        </CardFooter>
      </Card>
    </div>
  )
}
