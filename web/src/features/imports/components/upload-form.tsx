import { zodResolver } from '@hookform/resolvers/zod'
import { Upload } from 'lucide-react'
import { useState } from 'react'
import { Controller, useForm, useWatch } from 'react-hook-form'
import { z } from 'zod'

import { FormDateField } from '@/components/date-field'
import { EntityOptions } from '@/components/entity-options'
import { FileDropZone } from '@/components/file-drop-zone'
import { FormField } from '@/components/form-field'
import { Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { NativeSelect } from '@/components/ui/native-select'
import { Textarea } from '@/components/ui/textarea'
import { isApiError } from '@/lib/api/problem'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'
import type { TrafficSource } from '@/lib/traffic/entities'

import { IMPORT_FORMATS, useUploadImport, type UploadResult } from '../api'
import { messages } from '../i18n'

const uploadSchema = z
  .object({
    file: z.custom<File | null>((v) => v instanceof File, 'upload.fileRequired'),
    source_id: z.string(),
    format: z.enum(['', ...IMPORT_FORMATS]),
    accept_valid: z.boolean(),
    default_date: z.string(),
    currency: z.string(),
    mapping: z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.format === 'moloco' && !v.source_id) ctx.addIssue({ code: 'custom', path: ['source_id'], message: 'upload.sourceRequired' })
    if (v.format === 'custom') {
      if (!v.mapping.trim()) ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'upload.mappingRequired' })
      else {
        try {
          JSON.parse(v.mapping)
        } catch {
          ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'upload.mappingJson' })
        }
      }
    }
  })
type UploadValues = z.infer<typeof uploadSchema>

const FIELDS = ['file', 'source_id', 'format', 'accept_valid', 'default_date', 'currency', 'mapping'] as const

/**
 * Uploads a report file: drop it (or choose it), pick its traffic source, optionally its format
 * (detected from the header by default), and whether valid rows go in when some are invalid.
 */
export function UploadForm({ sources, onUploaded }: { sources: TrafficSource[] | undefined; onUploaded: (r: UploadResult) => void }) {
  const { t, te } = useI18n(messages)
  const upload = useUploadImport()
  const [advanced, setAdvanced] = useState(false)
  const form = useForm<UploadValues>({
    resolver: zodResolver(uploadSchema),
    defaultValues: { file: null, source_id: '', format: '', accept_valid: false, default_date: '', currency: '', mapping: '' },
  })
  const { errors, isSubmitting } = form.formState
  const format = useWatch({ control: form.control, name: 'format' })

  const onSubmit = form.handleSubmit(async (v) => {
    try {
      const r = await upload.mutateAsync({
        file: v.file!,
        source_id: v.source_id || undefined,
        format: v.format || undefined,
        accept_valid: v.accept_valid,
        default_date: v.default_date || undefined,
        currency: v.currency || undefined,
        mapping: v.format === 'custom' ? v.mapping : undefined,
      })
      form.reset({ ...v, file: null })
      onUploaded(r)
    } catch (e) {
      if (isApiError(e) && e.status === 413) form.setError('file', { type: 'server', message: e.message })
      applyServerError(e, form.setError, FIELDS)
    }
  })

  return (
    <form onSubmit={onSubmit} className="grid gap-4" noValidate aria-label={t('imports.upload')}>
      <Controller
        control={form.control}
        name="file"
        render={({ field }) => (
          <div className="grid gap-1.5">
            <FileDropZone file={field.value} onFile={field.onChange} accept=".csv,.tsv,.txt,text/csv" disabled={isSubmitting} hint={t('upload.hint')} />
            {errors.file && (
              <p className="text-destructive text-sm" role="alert">
                {te(errors.file.message)}
              </p>
            )}
          </div>
        )}
      />
      <div className="grid gap-3 sm:grid-cols-2">
        <FormField label={t('imports.source')} error={te(errors.source_id?.message)} hint={t('imports.sourceHint')}>
          <NativeSelect {...form.register('source_id')}>
            <option value="">{t('imports.noSource')}</option>
            <EntityOptions items={sources} />
          </NativeSelect>
        </FormField>
        <FormField label={t('imports.format')} error={te(errors.format?.message)}>
          <NativeSelect {...form.register('format')}>
            <option value="">{t('imports.detect')}</option>
            {IMPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {t(`importFormat.${f}`)}
              </option>
            ))}
          </NativeSelect>
        </FormField>
      </div>
      {format === 'custom' && (
        <FormField label={t('imports.mapping')} error={te(errors.mapping?.message)} hint={t('imports.mappingHint')}>
          <Textarea rows={4} className="font-mono text-xs" placeholder='{"kind": "spend", "columns": {"date": "Day", "campaign_id": "Campaign", "spend": "Cost"}}' {...form.register('mapping')} />
        </FormField>
      )}
      <label className="flex items-start gap-2 text-sm">
        <Checkbox className="mt-0.5" {...form.register('accept_valid')} />
        <span>
          {t('imports.acceptValid')}
          <span className="text-muted-foreground block text-xs">{t('imports.acceptValidHint')}</span>
        </span>
      </label>
      <details open={advanced} onToggle={(e) => setAdvanced((e.target as HTMLDetailsElement).open)} className="text-sm">
        <summary className="text-muted-foreground cursor-pointer select-none">{t('imports.advanced')}</summary>
        <div className="mt-3 grid gap-3 sm:grid-cols-2">
          <FormField label={t('imports.defaultDate')} error={te(errors.default_date?.message)} hint={t('imports.defaultDateHint')}>
            <FormDateField control={form.control} name="default_date" />
          </FormField>
          <FormField label={t('common.currency')} error={te(errors.currency?.message)} hint={t('imports.currencyHint')}>
            <NativeSelect {...form.register('currency')}>
              <option value="">{t('imports.currencyDefault')}</option>
              {CURRENCIES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </NativeSelect>
          </FormField>
        </div>
      </details>
      <div>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner /> : <Upload />}
          {isSubmitting ? t('imports.uploading') : t('imports.uploadButton')}
        </Button>
      </div>
    </form>
  )
}
