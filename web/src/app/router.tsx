import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react'
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from 'react-router'

import { LoadingState } from '@/components/states'
import { isPending, useSession } from '@/lib/auth'

import { AppShell } from './layout/app-shell'
import { NotFound } from './not-found'
import { PendingAccess } from './pending-access'

const page = (load: () => Promise<{ default: ComponentType }>) => lazy(load)

const Login = page(() => import('@/features/auth/routes/login'))
const Register = page(() => import('@/features/auth/routes/register'))
const ConfirmEmail = page(() => import('@/features/auth/routes/confirm-email'))
const ForgotPassword = page(() => import('@/features/auth/routes/forgot-password'))
const ResetPassword = page(() => import('@/features/auth/routes/reset-password'))
const Dashboard = page(() => import('@/features/dashboard/routes/dashboard'))
const Accounts = page(() => import('@/features/accounts/routes/accounts'))
const Projects = page(() => import('@/features/projects/routes/projects'))
const Categories = page(() => import('@/features/categories/routes/categories'))
const Counterparties = page(() => import('@/features/counterparties/routes/counterparties'))
const Transactions = page(() => import('@/features/transactions/routes/transactions'))
const Reports = page(() => import('@/features/reports/routes/reports'))
const Periods = page(() => import('@/features/periods/routes/periods'))
const Audit = page(() => import('@/features/audit/routes/audit'))
const Users = page(() => import('@/features/users/routes/users'))
const ApiTokens = page(() => import('@/features/tokens/routes/tokens'))
const TrafficAnalytics = page(() => import('@/features/analytics/routes/analytics'))
const TrafficImports = page(() => import('@/features/imports/routes/imports'))
const TrafficUnmatched = page(() => import('@/features/traffic-setup/routes/unmatched'))
const TrafficCampaigns = page(() => import('@/features/traffic-setup/routes/campaigns'))
const TrafficOffers = page(() => import('@/features/traffic-setup/routes/offers'))
const TrafficPrograms = page(() => import('@/features/traffic-setup/routes/programs'))
const TrafficSources = page(() => import('@/features/traffic-setup/routes/sources'))
const TrafficPayouts = page(() => import('@/features/payouts/routes/payouts'))
const TrafficPayout = page(() => import('@/features/payouts/routes/payout'))
const Rates = page(() => import('@/features/rates/routes/rates'))
const Transaction = page(() => import('@/features/transactions/routes/transaction'))
const RecurringList = page(() => import('@/features/recurring/routes/recurring-list'))
const RecurringDetail = page(() => import('@/features/recurring/routes/recurring-detail'))
const Wallets = page(() => import('@/features/wallets/routes/wallets'))
const Wallet = page(() => import('@/features/wallets/routes/wallet'))
const InvoiceList = page(() => import('@/features/invoices/routes/invoice-list'))
const InvoiceDetail = page(() => import('@/features/invoices/routes/invoice-detail'))
const Aging = page(() => import('@/features/invoices/routes/aging'))

function el(C: LazyExoticComponent<ComponentType>) {
  return (
    <Suspense fallback={<LoadingState />}>
      <C />
    </Suspense>
  )
}

function RequireAuth() {
  const { status, user } = useSession()
  const location = useLocation()
  if (status === 'loading') {
    return (
      <div className="mx-auto max-w-md p-10">
        <LoadingState rows={3} />
      </div>
    )
  }
  if (status === 'anonymous') {
    const next = location.pathname + location.search
    return <Navigate to={`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />
  }
  // Signed up under open registration, no role yet: nothing to show but that.
  if (isPending(user)) return <PendingAccess />
  return <AppShell />
}

function PublicOnly() {
  const { status } = useSession()
  if (status === 'authenticated') {
    const next = new URLSearchParams(window.location.search).get('next')
    return <Navigate to={next && next.startsWith('/') ? next : '/'} replace />
  }
  return (
    <div className="bg-muted/40 flex min-h-svh items-center justify-center p-4">
      <Suspense fallback={<LoadingState rows={3} />}>
        <Outlet />
      </Suspense>
    </div>
  )
}

function PublicPage() {
  return (
    <div className="bg-muted/40 flex min-h-svh items-center justify-center p-4">
      <Outlet />
    </div>
  )
}

const router = createBrowserRouter([
  {
    element: <PublicOnly />,
    children: [
      { path: '/login', element: el(Login) },
      { path: '/register', element: el(Register) },
      { path: '/forgot-password', element: el(ForgotPassword) },
    ],
  },
  {
    // Reachable signed in or out: links from mails.
    element: <PublicPage />,
    children: [
      { path: '/confirm-email', element: el(ConfirmEmail) },
      { path: '/reset-password', element: el(ResetPassword) },
    ],
  },
  {
    path: '/',
    element: <RequireAuth />,
    children: [
      { index: true, element: el(Dashboard) },
      { path: 'accounts', element: el(Accounts) },
      { path: 'projects', element: el(Projects) },
      { path: 'categories', element: el(Categories) },
      { path: 'counterparties', element: el(Counterparties) },
      { path: 'transactions', element: el(Transactions) },
      { path: 'transactions/:id', element: el(Transaction) },
      { path: 'recurring', element: el(RecurringList) },
      { path: 'recurring/:id', element: el(RecurringDetail) },
      { path: 'wallets', element: el(Wallets) },
      { path: 'wallets/:id', element: el(Wallet) },
      { path: 'invoices', element: el(InvoiceList) },
      { path: 'invoices/aging', element: el(Aging) },
      { path: 'invoices/:id', element: el(InvoiceDetail) },
      { path: 'reports', element: el(Reports) },
      { path: 'periods', element: el(Periods) },
      { path: 'audit', element: el(Audit) },
      { path: 'users', element: el(Users) },
      { path: 'tokens', element: el(ApiTokens) },
      { path: 'traffic', element: <Navigate to="/traffic/analytics" replace /> },
      { path: 'traffic/analytics', element: el(TrafficAnalytics) },
      { path: 'traffic/imports', element: el(TrafficImports) },
      { path: 'traffic/unmatched', element: el(TrafficUnmatched) },
      { path: 'traffic/campaigns', element: el(TrafficCampaigns) },
      { path: 'traffic/offers', element: el(TrafficOffers) },
      { path: 'traffic/programs', element: el(TrafficPrograms) },
      { path: 'traffic/sources', element: el(TrafficSources) },
      { path: 'traffic/payouts', element: el(TrafficPayouts) },
      { path: 'traffic/payouts/:id', element: el(TrafficPayout) },
      { path: 'rates', element: el(Rates) },
      { path: '*', element: <NotFound /> },
    ],
  },
  { path: '*', element: <Navigate to="/" replace /> },
])

export function AppRouter() {
  return <RouterProvider router={router} />
}
