import { RefreshCw } from 'lucide-react'
import { useState } from 'react'

import { Spinner } from '@/components/states'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { useI18n } from '@/lib/i18n'

import { useSyncRates, type Provider } from '../api'
import { messages } from '../i18n'

type Outcome = { provider: Provider; ok: true; fetched: number; written: number; unchanged: number } | { provider: Provider; ok: false; detail: string }

/** "Sync now" for the ECB (fiat) and CoinGecko (crypto), with what came of it. */
export function SyncButtons() {
  const { t, number } = useI18n(messages)
  const sync = useSyncRates()
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const run = (provider: Provider) => {
    setOutcome(null)
    sync.mutate(provider, {
      onSuccess: (r) => setOutcome({ provider, ok: true, fetched: r.fetched, written: r.written, unchanged: r.unchanged }),
      // A provider that cannot be reached answers 502 with a problem detail.
      onError: (e) => setOutcome({ provider, ok: false, detail: e.message }),
    })
  }
  const running = sync.isPending ? sync.variables : null
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap gap-2">
        <Button variant="outline" disabled={sync.isPending} onClick={() => run('ecb')}>
          {running === 'ecb' ? <Spinner /> : <RefreshCw />} {t('rates.syncEcb')}
        </Button>
        <Button variant="outline" disabled={sync.isPending} onClick={() => run('coingecko')}>
          {running === 'coingecko' ? <Spinner /> : <RefreshCw />} {t('rates.syncCrypto')}
        </Button>
      </div>
      {outcome && (
        <Alert variant={outcome.ok ? 'default' : 'destructive'} data-testid="sync-outcome">
          <AlertDescription>
            {outcome.ok
              ? t('rates.syncResult', {
                  provider: t(`rates.provider.${outcome.provider}`),
                  fetched: number(outcome.fetched),
                  written: number(outcome.written),
                  unchanged: number(outcome.unchanged),
                })
              : t('rates.syncFailed', { provider: t(`rates.provider.${outcome.provider}`), detail: outcome.detail })}
          </AlertDescription>
        </Alert>
      )}
    </div>
  )
}
