import type { ReactNode } from 'react'
import { useFormContext, useWatch } from 'react-hook-form'

import { FormField } from '@/components/form-field'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { useI18n } from '@/lib/i18n'
import { CRYPTO_TOKENS, type CryptoToken, type OptionalCryptoValues } from '@/lib/tron'

import { messages } from '../i18n'

/**
 * Optional on-chain details of a posting with a leg on a crypto wallet: token, hash, addresses
 * and the TRX fee. The amount is the wallet leg's, so it is not asked again; the token is the
 * wallet's when its currency is one. `leg` (the journal's choice of wallet entry) shows first
 * once the block is ticked.
 */
export function CryptoFields({ token, leg }: { token?: CryptoToken | null; leg?: ReactNode }) {
  const { t, te } = useI18n(messages)
  const {
    register,
    control,
    formState: { errors },
  } = useFormContext<{ crypto: OptionalCryptoValues }>()
  const enabled = useWatch({ control, name: 'crypto.enabled' })
  const e = errors.crypto
  return (
    <fieldset className="bg-muted/40 grid gap-3 rounded-md border p-3" data-testid="crypto-fields">
      <label className="flex items-center gap-2 text-sm font-medium">
        <input type="checkbox" {...register('crypto.enabled')} />
        {t('crypto.attach')}
      </label>
      {enabled && (
        <>
          {leg}
          <div className="grid grid-cols-[8rem_1fr_9rem] gap-3">
            {token ? (
              // A USDT or TRX wallet moves its own token (the body takes it from the wallet).
              <FormField label={t('crypto.token')} hint={t('crypto.tokenOfWallet')}>
                <Input readOnly value={token} />
              </FormField>
            ) : (
              <FormField label={t('crypto.token')}>
                <NativeSelect {...register('crypto.token')}>
                  {CRYPTO_TOKENS.map((tk) => (
                    <option key={tk} value={tk}>
                      {tk}
                    </option>
                  ))}
                </NativeSelect>
              </FormField>
            )}
            <FormField label={t('crypto.txHash')} error={te(e?.tx_hash?.message)}>
              <Input className="font-mono text-xs" autoComplete="off" spellCheck={false} {...register('crypto.tx_hash')} />
            </FormField>
            <FormField label={t('crypto.feeTrx')} error={te(e?.fee_trx?.message)}>
              <Input inputMode="decimal" className="text-right tabular-nums" placeholder="0" {...register('crypto.fee_trx')} />
            </FormField>
          </div>
          <div className="grid grid-cols-2 gap-3">
            <FormField label={t('crypto.fromAddress')} error={te(e?.from?.message)}>
              <Input className="font-mono text-xs" autoComplete="off" spellCheck={false} {...register('crypto.from')} />
            </FormField>
            <FormField label={t('crypto.toAddress')} error={te(e?.to?.message)}>
              <Input className="font-mono text-xs" autoComplete="off" spellCheck={false} {...register('crypto.to')} />
            </FormField>
          </div>
        </>
      )}
    </fieldset>
  )
}
