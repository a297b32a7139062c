import { useFormContext } from 'react-hook-form'

import { FormDateField } from '@/components/date-field'
import { FormField } from '@/components/form-field'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { categoryTree } from '@/hooks/use-lookups'
import { useI18n } from '@/lib/i18n'

import { messages } from '../i18n'
import type { MetaValues, Refs } from '../lib/meta'

export function CommonFields({ refs, categoryKind }: { refs: Refs; categoryKind?: 'income' | 'expense' }) {
  const { t, te } = useI18n(messages)
  const {
    register,
    control,
    formState: { errors },
  } = useFormContext<{ meta: MetaValues }>()
  const e = errors.meta
  const categories = categoryTree(refs.categories.filter((c) => !c.archived && (!categoryKind || c.kind === categoryKind)))
  return (
    <>
      <div className="grid grid-cols-[10rem_1fr] gap-3">
        <FormField label={t('common.date')} error={te(e?.date?.message)}>
          <FormDateField control={control} name="meta.date" />
        </FormField>
        <FormField label={t('common.description')} error={te(e?.description?.message)}>
          <Input {...register('meta.description')} />
        </FormField>
      </div>
      <div className="grid grid-cols-3 gap-3">
        <FormField label={t('tx.project')} error={te(e?.project_id?.message)}>
          <NativeSelect {...register('meta.project_id')}>
            <option value="">{t('common.none')}</option>
            {refs.projects
              .filter((p) => !p.archived)
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
          </NativeSelect>
        </FormField>
        <FormField label={t('tx.category')} error={te(e?.category_id?.message)}>
          <NativeSelect {...register('meta.category_id')}>
            <option value="">{t('common.none')}</option>
            {categories.map(({ item, depth }) => (
              <option key={item.id} value={item.id}>
                {'\u00a0\u00a0'.repeat(depth)}
                {item.name}
              </option>
            ))}
          </NativeSelect>
        </FormField>
        <FormField label={t('tx.counterparty')} error={te(e?.counterparty_id?.message)}>
          <NativeSelect {...register('meta.counterparty_id')}>
            <option value="">{t('common.none')}</option>
            {refs.counterparties
              .filter((c) => !c.archived)
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </NativeSelect>
        </FormField>
      </div>
      <div className="grid grid-cols-[1fr_12rem] gap-3">
        <FormField label={t('tx.tags')} error={te(e?.tags?.message)} hint={t('tx.tagsHint')}>
          <Input {...register('meta.tags')} />
        </FormField>
        <FormField label={t('tx.adjusts')} error={te(e?.adjusts?.message)} hint={t('tx.adjustsHint')}>
          <FormDateField control={control} name="meta.adjusts" />
        </FormField>
      </div>
    </>
  )
}
