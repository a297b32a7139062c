import { Link } from 'react-router'

import { useI18n } from '@/lib/i18n'

export function NotFound() {
  const { t } = useI18n()
  return (
    <div className="py-20 text-center">
      <h1 className="text-2xl font-semibold">{t('notFound.title')}</h1>
      <Link to="/" className="text-primary mt-4 inline-block underline">
        {t('notFound.home')}
      </Link>
    </div>
  )
}
