import { CURRENCIES } from '@/lib/money'

/** The <option>s of a currency picker. */
export function CurrencyOptions() {
  return (
    <>
      {CURRENCIES.map((c) => (
        <option key={c} value={c}>
          {c}
        </option>
      ))}
    </>
  )
}
