import type { ReactNode } from 'react'

import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card'
import { NativeSelect } from '@/components/ui/native-select'
import { LOCALES, useI18n, type Locale } from '@/lib/i18n'

import { messages } from '../i18n'

export function AuthCard({ title, description, children, footer }: { title: string; description?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  const { t, locale, setLocale } = useI18n(messages)
  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <div className="text-muted-foreground mb-2 flex items-center justify-between text-sm">
          <span className="font-semibold">{t('app.name')}</span>
          <NativeSelect className="w-28" value={locale} onChange={(e) => setLocale(e.target.value as Locale)} aria-label={t('nav.language')}>
            {LOCALES.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </NativeSelect>
        </div>
        <CardTitle className="text-xl">
          <h1>{title}</h1>
        </CardTitle>
        {description && <CardDescription>{description}</CardDescription>}
      </CardHeader>
      <CardContent>{children}</CardContent>
      {footer && <CardFooter className="text-muted-foreground flex-col gap-2 text-sm">{footer}</CardFooter>}
    </Card>
  )
}
