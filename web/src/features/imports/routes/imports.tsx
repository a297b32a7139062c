import { Copy } from 'lucide-react'
import { useCallback, useMemo, useState } from 'react'
import { Link, useSearchParams } from 'react-router'

import { PageHeader } from '@/components/page-header'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'
import { useAllTraffic } from '@/lib/traffic/entities'

import type { Import } from '../api'
import { ImportPanel } from '../components/import-panel'
import { ImportsHistory } from '../components/imports-history'
import { UploadForm } from '../components/upload-form'
import { messages } from '../i18n'

export default function ImportsPage() {
  const { t, dateTime } = useI18n(messages)
  const writer = can.writeTraffic(useRole())
  const [params, setParams] = useSearchParams()
  const openId = params.get('import')
  const [duplicate, setDuplicate] = useState<Import | null>(null)
  const sources = useAllTraffic('sources')
  const sourceNames = useMemo(() => new Map((sources.data ?? []).map((s) => [s.id, s.name])), [sources.data])
  const open = useCallback(
    (id: string) => {
      setDuplicate(null)
      setParams({ import: id })
    },
    [setParams],
  )

  return (
    <>
      <PageHeader title={t('nav.trafficImports')} description={t('imports.description')} />
      <div className="mb-8 grid gap-6 lg:grid-cols-2">
        {writer && (
          <Card>
            <CardHeader>
              <CardTitle>{t('imports.upload')}</CardTitle>
            </CardHeader>
            <CardContent>
              <UploadForm
                sources={sources.data}
                onUploaded={(r) => {
                  if (r.duplicate) {
                    setDuplicate(r.import)
                    setParams({})
                  } else open(r.import.id)
                }}
              />
            </CardContent>
          </Card>
        )}
        <Card>
          <CardHeader>
            <CardTitle>{t('imports.current')}</CardTitle>
          </CardHeader>
          <CardContent>
            {duplicate ? (
              <Alert data-testid="duplicate-upload">
                <Copy />
                <AlertTitle>{t('imports.alreadyImported')}</AlertTitle>
                <AlertDescription>
                  <p>{t('imports.alreadyImportedDetail', { file: duplicate.file_name, when: dateTime(duplicate.finished_at ?? duplicate.created_at) })}</p>
                  <Link className="text-primary underline-offset-4 hover:underline" to={`/traffic/imports?import=${duplicate.id}`} onClick={() => setDuplicate(null)}>
                    {t('imports.openOriginal')}
                  </Link>
                </AlertDescription>
              </Alert>
            ) : openId ? (
              <ImportPanel key={openId} id={openId} sourceNames={sourceNames} writer={writer} />
            ) : (
              <p className="text-muted-foreground text-sm">{t('imports.nothingOpen')}</p>
            )}
          </CardContent>
        </Card>
      </div>
      <ImportsHistory sources={sources.data} onOpen={open} openId={openId} />
    </>
  )
}
