import { ExternalLink, ShieldAlert, ShieldCheck, ShieldQuestion } from 'lucide-react'
import type { ReactNode } from 'react'

import { Badge } from '@/components/ui/badge'
import { useI18n } from '@/lib/i18n'
import { shortHash, tronscanAddressUrl, tronscanTxUrl, type CryptoDetails, type CryptoVerification } from '@/lib/tron'

/** A link out to TronScan (new tab), the hash or address shortened unless `full`. */
export function ExplorerLink({ kind, value, full, testId }: { kind: 'tx' | 'address'; value: string; full?: boolean; testId?: string }) {
  const { t } = useI18n()
  const href = kind === 'tx' ? tronscanTxUrl(value) : tronscanAddressUrl(value)
  return (
    <a
      href={href}
      target="_blank"
      rel="noreferrer noopener"
      className="text-primary inline-flex items-center gap-1 font-mono text-xs break-all underline-offset-4 hover:underline"
      title={t('crypto.openExplorer')}
      data-testid={testId}
    >
      {full ? value : shortHash(value)}
      <ExternalLink className="size-3 shrink-0" aria-hidden />
      <span className="sr-only">{t('crypto.openExplorer')}</span>
    </a>
  )
}

/** Where a posting stands against the chain: never checked, verified, mismatch or not found. */
export function VerificationBadge({ verification }: { verification?: CryptoVerification | null }) {
  const { t } = useI18n()
  const status = verification?.result.status
  if (!status)
    return (
      <Badge variant="outline" data-testid="crypto-verification">
        <ShieldQuestion aria-hidden /> {t('crypto.unverified')}
      </Badge>
    )
  if (status === 'verified')
    return (
      <Badge variant="default" data-testid="crypto-verification">
        <ShieldCheck aria-hidden /> {t('crypto.verified')}
      </Badge>
    )
  return (
    <Badge variant="destructive" data-testid="crypto-verification">
      <ShieldAlert aria-hidden /> {t(status === 'mismatch' ? 'crypto.mismatch' : 'crypto.notFound')}
    </Badge>
  )
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[9rem_1fr] gap-2 py-1">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  )
}

/** The on-chain transfer behind a posting, with links to the explorer and the last check. */
export function CryptoDetailsView({ crypto, verification }: { crypto: CryptoDetails; verification?: CryptoVerification | null }) {
  const { t, number, dateTime } = useI18n()
  const reasons = verification?.result.status === 'mismatch' ? verification.result.reasons : []
  return (
    <dl className="grid text-sm" data-testid="crypto-details">
      <Row label={t('crypto.network')}>
        Tron · {crypto.token}
        {crypto.contract && <span className="text-muted-foreground ml-2 font-mono text-xs">{shortHash(crypto.contract)}</span>}
      </Row>
      <Row label={t('crypto.txHash')}>
        <ExplorerLink kind="tx" value={crypto.tx_hash} full testId="crypto-tx-link" />
      </Row>
      <Row label={t('crypto.from')}>
        <ExplorerLink kind="address" value={crypto.from} full />
      </Row>
      <Row label={t('crypto.to')}>
        <ExplorerLink kind="address" value={crypto.to} full />
      </Row>
      <Row label={t('common.amount')}>
        <span className="tabular-nums">
          {crypto.amount} {crypto.token}
        </span>
      </Row>
      <Row label={t('crypto.fee')}>
        <span className="tabular-nums">{crypto.fee_trx} TRX</span>
      </Row>
      <Row label={t('crypto.verification')}>
        <div className="grid gap-1">
          <div className="flex flex-wrap items-center gap-2">
            <VerificationBadge verification={verification} />
            {verification && <span className="text-muted-foreground text-xs">{dateTime(verification.verified_at)}</span>}
            {verification?.confirmations != null && (
              <span className="text-muted-foreground text-xs">{t('crypto.confirmations', { count: number(verification.confirmations) })}</span>
            )}
          </div>
          {reasons.length > 0 && (
            <ul className="text-destructive list-disc pl-5 text-xs" data-testid="crypto-mismatch">
              {reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
        </div>
      </Row>
    </dl>
  )
}
