import { DateField } from '@/components/date-field'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { useI18n } from '@/lib/i18n'
import { today } from '@/lib/utils'

import { PERIOD_PRESETS, presetOf, presetRange, type PeriodPreset } from '@/lib/periods'

/** A period: a preset (last 7/30/90 days, this or last month) or any custom from–to days. */
export function PeriodPicker({ from, to, onChange }: { from: string; to: string; onChange: (range: { from: string; to: string }) => void }) {
  const { t } = useI18n()
  const now = today()
  const preset = presetOf(from, to, now)
  return (
    <div className="flex flex-wrap items-end gap-2">
      <div className="grid gap-1.5">
        <Label htmlFor="period-preset">{t('analytics.period')}</Label>
        <NativeSelect
          id="period-preset"
          className="w-44"
          value={preset}
          onChange={(e) => {
            const p = e.target.value as PeriodPreset
            if (p !== 'custom') onChange(presetRange(p, now))
          }}
        >
          {PERIOD_PRESETS.map((p) => (
            <option key={p} value={p} disabled={p === 'custom' && preset !== 'custom'}>
              {t(`period.${p}`)}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="period-from">{t('analytics.from')}</Label>
        <DateField id="period-from" className="w-40" value={from} max={to} onChange={(v) => v && onChange({ from: v, to })} />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="period-to">{t('analytics.to')}</Label>
        <DateField id="period-to" className="w-40" value={to} min={from} onChange={(v) => v && onChange({ from, to: v })} />
      </div>
    </div>
  )
}
