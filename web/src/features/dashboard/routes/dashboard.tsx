import { useState } from 'react'
import { Link } from 'react-router'

import { PageHeader } from '@/components/page-header'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { NativeSelect } from '@/components/ui/native-select'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'

import { useDashboard } from '../api'
import { CashCard, MissingRate, MonthCard, OpenCard, OverdueCard, ProjectsCard } from '../components/dashboard-cards'
import { TrafficCard } from '../components/traffic-card'
import { messages } from '../i18n'
import { isEmptyDashboard, isMissingRate } from '../lib/dashboard'

export default function DashboardPage() {
  const { t } = useI18n(messages)
  const [currency, setCurrency] = useState('USD')
  const q = useDashboard(currency)

  return (
    <>
      <PageHeader
        title={t('nav.dashboard')}
        description={t('dashboard.overview')}
        actions={
          <label className="flex items-center gap-2 text-sm">
            <span className="text-muted-foreground">{t('dashboard.reportCurrency')}</span>
            <NativeSelect className="h-8 w-24" value={currency} onChange={(e) => setCurrency(e.target.value)} data-testid="dashboard-currency">
              {CURRENCIES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </NativeSelect>
          </label>
        }
      />
      <div className="grid gap-6">
        {q.error ? (
          isMissingRate(q.error) ? (
            <MissingRate message={q.error.message} onRetry={() => void q.refetch()} />
          ) : (
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          )
        ) : q.isPending ? (
          <LoadingState rows={6} />
        ) : isEmptyDashboard(q.data) ? (
          <EmptyState title={t('dashboard.empty')}>
            <Link to="/accounts" className="text-primary text-sm underline">
              {t('dashboard.addAccounts')}
            </Link>
          </EmptyState>
        ) : (
          <>
            <div className="grid gap-6 lg:grid-cols-2">
              <CashCard d={q.data} />
              <MonthCard d={q.data} />
            </div>
            <OpenCard d={q.data} />
            <div className="grid gap-6 lg:grid-cols-2">
              <OverdueCard d={q.data} />
              <ProjectsCard d={q.data} />
            </div>
          </>
        )}
        <TrafficCard currency={currency} />
      </div>
    </>
  )
}
