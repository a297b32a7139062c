import { useI18n } from '@/lib/i18n'

/**
 * The <option>s of an entity picker: the active entities by name, plus the current value when
 * it is archived (so editing a record does not silently drop its reference).
 */
export function EntityOptions({
  items,
  current,
  label = (x) => x.name,
}: {
  items: { id: string; name: string; archived: boolean }[] | undefined
  current?: string | null
  label?: (x: { id: string; name: string; archived: boolean }) => string
}) {
  const { t } = useI18n()
  return (
    <>
      {(items ?? [])
        .filter((x) => !x.archived || x.id === current)
        .map((x) => (
          <option key={x.id} value={x.id}>
            {label(x)}
            {x.archived ? ` (${t('common.archived').toLowerCase()})` : ''}
          </option>
        ))}
    </>
  )
}
