/** The wallet entries of a journal (their indexes), in entry order. */
export function walletLegs(entries: readonly { account_id: string }[], walletIds: ReadonlySet<string>): number[] {
  return entries.flatMap((e, i) => (walletIds.has(e.account_id) ? [i] : []))
}

/** The wallet entry the crypto block belongs to: the chosen one while it is a wallet entry, else the first. */
export function chosenLeg(legs: number[], chosen: string): number | undefined {
  const n = chosen === '' ? NaN : Number(chosen)
  return legs.includes(n) ? n : legs[0]
}
