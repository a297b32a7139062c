import { zodResolver } from '@hookform/resolvers/zod'
import { Controller, useForm } from 'react-hook-form'

import { EntityOptions } from '@/components/entity-options'
import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { TagInput } from '@/components/tag-input'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { Textarea } from '@/components/ui/textarea'
import { isApiError } from '@/lib/api/problem'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { type CampaignSpec } from '@/lib/traffic/entities'
import { blankToNull } from '@/lib/utils'

import { CAMPAIGN_STATUSES } from '../api'
import { messages } from '../i18n'
import { campaignSchema, isBadKey, type CampaignFormValues } from '../schemas'

type Ref = { id: string; name: string; archived: boolean }

export interface CampaignRefs {
  sources: Ref[]
  offers: Ref[]
  projects: Ref[]
}

const FIELDS = ['name', 'source_id', 'offer_id', 'project_id', 'status', 'source_keys', 'tracker_keys', 'notes'] as const

/** The key list a field-less error's detail names (e.g. "source_keys: `x` already belongs to another campaign"). */
function conflictField(e: unknown): 'source_keys' | 'tracker_keys' | undefined {
  if (!isApiError(e) || e.field) return undefined
  return /\b(source_keys|tracker_keys)\b/.exec(e.message)?.[1] as 'source_keys' | 'tracker_keys' | undefined
}

/**
 * A campaign's fields; the report keys under which spend reports (source keys) and tracker
 * reports (tracker keys) list it are edited as tag lists.
 */
export function CampaignForm({
  defaults,
  refs,
  currentIds,
  onSubmit,
  onCancel,
}: {
  defaults: CampaignFormValues
  refs: CampaignRefs
  /** Referenced ids of the campaign being edited (shown even when archived). */
  currentIds?: { source_id?: string; offer_id?: string | null; project_id?: string | null }
  onSubmit: (body: CampaignSpec) => Promise<void>
  onCancel: () => void
}) {
  const { t, te } = useI18n(messages)
  const form = useForm<CampaignFormValues>({ resolver: zodResolver(campaignSchema), defaultValues: defaults })
  const { errors, isSubmitting } = form.formState

  const submit = form.handleSubmit(async (v) => {
    try {
      await onSubmit({
        name: v.name.trim(),
        source_id: v.source_id,
        offer_id: v.offer_id || null,
        project_id: v.project_id || null,
        status: v.status,
        source_keys: v.source_keys,
        tracker_keys: v.tracker_keys,
        notes: blankToNull(v.notes),
      })
    } catch (e) {
      // A key another campaign holds is a conflict without a `field`: its detail names the list.
      const field = conflictField(e)
      if (field) form.setError(field, { type: 'server', message: (e as Error).message }, { shouldFocus: true })
      applyServerError(e, form.setError, FIELDS)
    }
  })

  const keyField = (name: 'source_keys' | 'tracker_keys', label: string, hint: string) => (
    <Controller
      control={form.control}
      name={name}
      render={({ field }) => (
        <FormField label={label} error={te(errors[name]?.message)} hint={hint}>
          <TagInput value={field.value} onChange={field.onChange} isInvalid={isBadKey} placeholder={t('campaigns.keysPlaceholder')} />
        </FormField>
      )}
    />
  )

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate>
      <div className="grid grid-cols-3 gap-3">
        <FormField label={t('common.name')} error={te(errors.name?.message)} className="col-span-2">
          <Input autoFocus {...form.register('name')} />
        </FormField>
        <FormField label={t('campaigns.status')} error={te(errors.status?.message)}>
          <NativeSelect {...form.register('status')}>
            {CAMPAIGN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`campaignStatus.${s}`)}
              </option>
            ))}
          </NativeSelect>
        </FormField>
      </div>
      <div className="grid grid-cols-3 gap-3">
        <FormField label={t('campaigns.source')} error={te(errors.source_id?.message)}>
          <NativeSelect {...form.register('source_id')}>
            <option value="">{t('traffic.choose')}</option>
            <EntityOptions items={refs.sources} current={currentIds?.source_id} />
          </NativeSelect>
        </FormField>
        <FormField label={t('campaigns.offer')} error={te(errors.offer_id?.message)}>
          <NativeSelect {...form.register('offer_id')}>
            <option value="">{t('common.none')}</option>
            <EntityOptions items={refs.offers} current={currentIds?.offer_id} />
          </NativeSelect>
        </FormField>
        <FormField label={t('campaigns.project')} error={te(errors.project_id?.message)}>
          <NativeSelect {...form.register('project_id')}>
            <option value="">{t('common.none')}</option>
            <EntityOptions items={refs.projects} current={currentIds?.project_id} />
          </NativeSelect>
        </FormField>
      </div>
      {keyField('source_keys', t('campaigns.sourceKeys'), t('campaigns.sourceKeysHint'))}
      {keyField('tracker_keys', t('campaigns.trackerKeys'), t('campaigns.trackerKeysHint'))}
      <FormField label={t('traffic.notes')} error={te(errors.notes?.message)}>
        <Textarea rows={2} {...form.register('notes')} />
      </FormField>
      <FormDialogFooter onCancel={onCancel} isSubmitting={isSubmitting} />
    </form>
  )
}
