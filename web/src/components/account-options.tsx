import type { Account } from '@/hooks/use-lookups'

/** `<option>`s for accounts, optionally only some types; archived accounts are left out. */
export function AccountOptions({ accounts, types }: { accounts: Account[]; types?: Account['type'][] }) {
  return (
    <>
      {accounts
        .filter((a) => !a.archived && (!types || types.includes(a.type)))
        .map((a) => (
          <option key={a.id} value={a.id}>
            {a.name.endsWith(`(${a.currency})`) ? a.name : `${a.name} (${a.currency})`}
          </option>
        ))}
    </>
  )
}
