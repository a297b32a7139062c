import {
  ArrowLeftRight,
  BadgePercent,
  BookOpen,
  Banknote,
  Coins,
  Repeat,
  FileText,
  WalletCards,
  Building2,
  CalendarCheck,
  ChartColumn,
  FileUp,
  FolderKanban,
  Handshake,
  KeyRound,
  LayoutDashboard,
  ListTree,
  LogOut,
  Megaphone,
  Menu,
  RadioTower,
  ScrollText,
  ShieldCheck,
  Unlink,
  Users,
  Wallet,
  type LucideIcon,
} from 'lucide-react'
import { Suspense, useState } from 'react'
import { NavLink, Outlet, useNavigate } from 'react-router'

import { LoadingState } from '@/components/states'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu'
import { NativeSelect } from '@/components/ui/native-select'
import { AlertsBanner } from '@/features/alerts/components/alerts-banner'
import { can, useSession, type Role } from '@/lib/auth'
import { LOCALES, useI18n, type Locale, type MessageKey } from '@/lib/i18n'
import { cn } from '@/lib/utils'

interface NavItem {
  to: string
  label: MessageKey
  icon: LucideIcon
  visible?: (role?: Role) => boolean
}

interface NavGroup {
  /** Heading of the group; the first group has none. */
  label?: MessageKey
  items: NavItem[]
}

const NAV: NavGroup[] = [
  {
    items: [
      { to: '/', label: 'nav.dashboard', icon: LayoutDashboard },
      { to: '/transactions', label: 'nav.transactions', icon: ArrowLeftRight },
      { to: '/recurring', label: 'nav.recurring', icon: Repeat },
      { to: '/wallets', label: 'nav.wallets', icon: WalletCards },
      { to: '/accounts', label: 'nav.accounts', icon: Wallet },
      { to: '/projects', label: 'nav.projects', icon: FolderKanban },
      { to: '/categories', label: 'nav.categories', icon: ListTree },
      { to: '/counterparties', label: 'nav.counterparties', icon: Handshake },
      { to: '/invoices', label: 'nav.invoices', icon: FileText },
      { to: '/reports', label: 'nav.reports', icon: BookOpen },
      { to: '/periods', label: 'nav.periods', icon: CalendarCheck },
      { to: '/audit', label: 'nav.audit', icon: ScrollText, visible: can.audit },
      { to: '/users', label: 'nav.users', icon: Users, visible: can.manageUsers },
    ],
  },
  {
    label: 'nav.traffic',
    items: [
      { to: '/traffic/analytics', label: 'nav.trafficAnalytics', icon: ChartColumn },
      { to: '/traffic/imports', label: 'nav.trafficImports', icon: FileUp },
      { to: '/traffic/unmatched', label: 'nav.trafficUnmatched', icon: Unlink },
      { to: '/traffic/campaigns', label: 'nav.trafficCampaigns', icon: Megaphone },
      { to: '/traffic/offers', label: 'nav.trafficOffers', icon: BadgePercent },
      { to: '/traffic/programs', label: 'nav.trafficPrograms', icon: Building2 },
      { to: '/traffic/sources', label: 'nav.trafficSources', icon: RadioTower },
      { to: '/traffic/payouts', label: 'nav.trafficPayouts', icon: Banknote },
    ],
  },
  {
    label: 'nav.settings',
    items: [{ to: '/rates', label: 'nav.rates', icon: Coins }],
  },
]

export function AppShell() {
  const { t, locale, setLocale } = useI18n()
  const { user, signOut } = useSession()
  const navigate = useNavigate()
  const [open, setOpen] = useState(false)

  const nav = (
    <nav aria-label={t('nav.main')} className="flex flex-col gap-1 p-3">
      {NAV.map((g, gi) => {
        const items = g.items.filter((n) => !n.visible || n.visible(user?.role))
        if (items.length === 0) return null
        return (
          <div key={gi} role={g.label ? 'group' : undefined} aria-label={g.label ? t(g.label) : undefined} className="flex flex-col gap-1">
            {g.label && (
              <div aria-hidden className="text-muted-foreground mt-4 px-3 pb-1 text-xs font-semibold tracking-wide uppercase">
                {t(g.label)}
              </div>
            )}
            {items.map((n) => (
              <NavLink
                key={n.to}
                to={n.to}
                end={n.to === '/'}
                onClick={() => setOpen(false)}
                className={({ isActive }) =>
                  cn(
                    'hover:bg-sidebar-accent flex items-center gap-3 rounded-md px-3 py-2 text-sm outline-none focus-visible:ring-2',
                    isActive && 'bg-sidebar-accent font-medium',
                  )
                }
              >
                <n.icon className="size-4" aria-hidden />
                {t(n.label)}
              </NavLink>
            ))}
          </div>
        )
      })}
    </nav>
  )

  return (
    <div className="flex min-h-svh">
      <a href="#main" className="focus:bg-background sr-only focus:not-sr-only focus:absolute focus:z-50 focus:p-2">
        {t('nav.skip')}
      </a>
      <aside className="bg-sidebar border-sidebar-border hidden w-60 shrink-0 border-r md:block">
        <div className="flex h-14 items-center gap-2 border-b px-5 font-semibold">
          <ShieldCheck className="size-5" aria-hidden /> {t('app.name')}
        </div>
        {nav}
      </aside>
      {open && (
        <div className="fixed inset-0 z-40 md:hidden" role="dialog" aria-modal="true" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          <div className="absolute inset-0 bg-black/40" onClick={() => setOpen(false)} />
          <aside className="bg-sidebar relative h-full w-64 overflow-y-auto shadow-lg">
            <div className="flex h-14 items-center border-b px-5 font-semibold">{t('app.name')}</div>
            {nav}
          </aside>
        </div>
      )}
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center gap-3 border-b px-4">
          <Button variant="ghost" size="icon" className="md:hidden" onClick={() => setOpen(true)} aria-label={t('nav.open')}>
            <Menu />
          </Button>
          <div className="flex-1" />
          <label className="flex items-center gap-2 text-sm">
            <span className="sr-only">{t('nav.language')}</span>
            <NativeSelect className="w-32" value={locale} onChange={(e) => setLocale(e.target.value as Locale)} aria-label={t('nav.language')}>
              {LOCALES.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </NativeSelect>
          </label>
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="outline" aria-label={t('nav.userMenu')} data-testid="user-menu">
                <span className="max-w-40 truncate">{user?.name || user?.email}</span>
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="end" className="w-60">
              <DropdownMenuLabel>
                <div className="truncate">{user?.email}</div>
                <Badge variant="secondary" className="mt-1">
                  {user ? t(`role.${user.role}`) : ''}
                </Badge>
                {user && !user.email_confirmed && <div className="text-muted-foreground mt-1 text-xs font-normal">{t('auth.emailNotConfirmed')}</div>}
              </DropdownMenuLabel>
              <DropdownMenuSeparator />
              <DropdownMenuItem onSelect={() => navigate('/tokens')}>
                <KeyRound /> {t('tokens.title')}
              </DropdownMenuItem>
              <DropdownMenuItem
                onSelect={() => {
                  void signOut().then(() => navigate('/login'))
                }}
              >
                <LogOut /> {t('auth.signOut')}
              </DropdownMenuItem>
            </DropdownMenuContent>
          </DropdownMenu>
        </header>
        <AlertsBanner />
        <main id="main" className="min-w-0 flex-1 p-4 md:p-6" tabIndex={-1}>
          <Suspense fallback={<LoadingState />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  )
}
