import { useState } from 'react'

/** The postings behind a report figure: the dialog's title and the drill-down query. */
export interface Drill {
  title: string
  query: string
}
export type OnDrill = (d: Drill) => void

/** The figure drilled into (null: none), a setter and a closer, for one report. */
export function useDrillState(): [Drill | null, OnDrill, () => void] {
  const [drill, setDrill] = useState<Drill | null>(null)
  return [drill, setDrill, () => setDrill(null)]
}
