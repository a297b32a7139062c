import { zodResolver } from '@hookform/resolvers/zod'
import { useMemo } from 'react'
import type { FieldValues, Resolver } from 'react-hook-form'

import type { Account } from '@/hooks/use-lookups'

/** What the transaction forms validate against besides their values: which accounts are crypto wallets. */
export interface WalletContext {
  walletIds: ReadonlySet<string>
}

/**
 * A resolver whose schema depends on the accounts of the moment (the form's `context`): the
 * crypto block is checked only while a chosen account is a crypto wallet, so a block left ticked
 * and then hidden by choosing another account never stops a posting.
 */
export function walletResolver<V extends FieldValues>(schemaFor: (walletIds: ReadonlySet<string>) => Parameters<typeof zodResolver>[0]): Resolver<V, WalletContext> {
  return (values, context, options) => {
    // The schema's output is `V` by construction (each form derives `V` from its schema).
    const resolve = zodResolver(schemaFor(context?.walletIds ?? new Set())) as unknown as Resolver<V, WalletContext>
    return resolve(values, context, options)
  }
}

/** The ids of the crypto wallet accounts among `accounts` (the forms' validation context). */
export function useWalletIds(accounts: readonly Account[]): ReadonlySet<string> {
  return useMemo(() => new Set(accounts.filter((a) => a.kind === 'crypto_wallet').map((a) => a.id)), [accounts])
}
