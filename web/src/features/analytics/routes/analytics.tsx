import { useCallback, useMemo, useState } from 'react'
import { useSearchParams } from 'react-router'

import { EntityOptions } from '@/components/entity-options'
import { PageHeader } from '@/components/page-header'
import { PeriodPicker } from '@/components/period-picker'
import { Segmented } from '@/components/segmented'
import { ErrorState, LoadingState } from '@/components/states'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'
import { isIsoDay, presetRange } from '@/lib/periods'
import { useAllTraffic } from '@/lib/traffic/entities'
import { today } from '@/lib/utils'

import { DIMENSIONS, GRANULARITIES, useMetrics, type Granularity, type MetricsQuery, type MetricsRow } from '../api'
import { MetricsChart } from '../components/metrics-chart'
import { MetricsTable } from '../components/metrics-table'
import { messages } from '../i18n'
import { periodSeries } from '../lib/chart-data'
import { formatMetric, type MetricKey } from '../lib/metrics-format'

const KPIS: MetricKey[] = ['spend', 'revenue', 'profit', 'roi', 'installs', 'cpi', 'conversions', 'cpa']
const FILTERS = ['campaign_id', 'source_id', 'offer_id'] as const
/** More than the days one query may cover (3 × 366). */
const OVERVIEW_ROWS = 2000

export default function AnalyticsPage() {
  const { t, locale } = useI18n(messages)
  const [params, setParams] = useSearchParams()
  const fallback = presetRange('last30', today())
  const from = isIsoDay(params.get('from')) ? params.get('from')! : fallback.from
  const to = isIsoDay(params.get('to')) ? params.get('to')! : fallback.to
  const granularity = (GRANULARITIES as readonly string[]).includes(params.get('granularity') ?? '') ? (params.get('granularity') as Granularity) : 'day'
  const groupBy = (DIMENSIONS as readonly string[]).includes(params.get('group_by') ?? '') ? params.get('group_by')! : ''
  const currency = CURRENCIES.includes(params.get('currency') ?? '') ? params.get('currency')! : 'USD'
  const country = /^[A-Z]{2}$/.test(params.get('country') ?? '') ? params.get('country')! : ''
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>
  const [countryText, setCountryText] = useState(country)

  const set = useCallback(
    (patch: Record<string, string>) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev)
          for (const [k, v] of Object.entries(patch)) {
            if (v) next.set(k, v)
            else next.delete(k)
          }
          return next
        },
        { replace: true },
      ),
    [setParams],
  )

  const campaigns = useAllTraffic('campaigns')
  const sources = useAllTraffic('sources')
  const offers = useAllTraffic('offers')
  const base: MetricsQuery = {
    from,
    to,
    granularity,
    campaign_id: filters.campaign_id || undefined,
    source_id: filters.source_id || undefined,
    offer_id: filters.offer_id || undefined,
    country: country || undefined,
    currency,
  }
  // Every period, over all groups: the KPIs and the charts. The table pages through the groups.
  const q = useMetrics({ ...base, limit: OVERVIEW_ROWS })
  const points = useMemo(() => (q.data ? periodSeries(q.data.rows) : []), [q.data])
  const groupLabel = useCallback(
    (row: MetricsRow, dim: string) => {
      const id = row.group[dim]
      if (id == null) return dim === 'campaign' ? t('analytics.unmatched') : t('analytics.none')
      return row.names[dim] ?? id
    },
    [t],
  )

  return (
    <>
      <PageHeader title={t('nav.trafficAnalytics')} description={t('analytics.description')} />
      <Card className="mb-6 gap-4 py-4">
        <CardContent className="flex flex-wrap items-end gap-4 px-4">
          <PeriodPicker from={from} to={to} onChange={(r) => set(r)} />
          <div className="grid gap-1.5">
            <span className="text-sm font-medium">{t('analytics.granularity')}</span>
            <Segmented
              label={t('analytics.granularity')}
              value={granularity}
              onChange={(g) => set({ granularity: g === 'day' ? '' : g })}
              options={GRANULARITIES.map((g) => ({ value: g, label: t(`granularity.${g}`) }))}
            />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="group-by">{t('analytics.groupBy')}</Label>
            <NativeSelect id="group-by" className="w-48" value={groupBy} onChange={(e) => set({ group_by: e.target.value })}>
              <option value="">{t('analytics.noGrouping')}</option>
              {DIMENSIONS.map((d) => (
                <option key={d} value={d}>
                  {t(`dimension.${d}`)}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="f-campaign">{t('dimension.campaign')}</Label>
            <NativeSelect id="f-campaign" className="w-44" value={filters.campaign_id} onChange={(e) => set({ campaign_id: e.target.value })}>
              <option value="">{t('analytics.allCampaigns')}</option>
              <EntityOptions items={campaigns.data} current={filters.campaign_id} />
            </NativeSelect>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="f-source">{t('dimension.source')}</Label>
            <NativeSelect id="f-source" className="w-44" value={filters.source_id} onChange={(e) => set({ source_id: e.target.value })}>
              <option value="">{t('traffic.allSources')}</option>
              <EntityOptions items={sources.data} current={filters.source_id} />
            </NativeSelect>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="f-offer">{t('dimension.offer')}</Label>
            <NativeSelect id="f-offer" className="w-44" value={filters.offer_id} onChange={(e) => set({ offer_id: e.target.value })}>
              <option value="">{t('traffic.allOffers')}</option>
              <EntityOptions items={offers.data} current={filters.offer_id} />
            </NativeSelect>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="f-country">{t('dimension.country')}</Label>
            <Input
              id="f-country"
              className="w-20 uppercase"
              maxLength={2}
              placeholder="US"
              value={countryText}
              aria-invalid={countryText !== '' && !/^[A-Za-z]{2}$/.test(countryText) ? true : undefined}
              onChange={(e) => {
                const v = e.target.value.toUpperCase()
                setCountryText(v)
                if (v === '' || /^[A-Z]{2}$/.test(v)) set({ country: v })
              }}
            />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="f-currency">{t('common.currency')}</Label>
            <NativeSelect id="f-currency" className="w-28" value={currency} onChange={(e) => set({ currency: e.target.value === 'USD' ? '' : e.target.value })}>
              {CURRENCIES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </NativeSelect>
          </div>
        </CardContent>
      </Card>

      {q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : !q.data ? (
        <LoadingState />
      ) : (
        <div className={q.isFetching ? 'opacity-70 transition-opacity' : undefined} aria-busy={q.isFetching}>
          <div className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="kpis">
            {KPIS.map((k) => (
              <Card key={k} className="gap-1 py-3">
                <CardHeader className="px-4">
                  <CardTitle className="text-muted-foreground text-xs font-medium">{t(`metric.${k}`)}</CardTitle>
                </CardHeader>
                <CardContent className="px-4 text-lg font-semibold tabular-nums" data-testid={`kpi-${k}`}>
                  {formatMetric(k, q.data.totals[k], q.data.currency, locale)}
                </CardContent>
              </Card>
            ))}
          </div>
          {points.length > 0 && (
            <Card className="mb-6">
              <CardContent>
                <MetricsChart points={points} currency={q.data.currency} granularity={q.data.granularity} />
              </CardContent>
            </Card>
          )}
          <MetricsTable key={JSON.stringify({ ...base, groupBy })} query={{ ...base, group_by: groupBy || undefined }} groupLabel={groupLabel} />
        </div>
      )}
    </>
  )
}
