import { zodResolver } from '@hookform/resolvers/zod'
import { Plus, Trash2 } from 'lucide-react'
import { useFieldArray, useForm, useWatch, type UseFormReturn } from 'react-hook-form'
import toast from 'react-hot-toast'
import { useNavigate } from 'react-router'

import { FormDialogFooter } from '@/components/form-dialog-footer'
import { FormField } from '@/components/form-field'
import { Money } from '@/components/money'
import { ErrorState, LoadingState } from '@/components/states'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { NativeSelect } from '@/components/ui/native-select'
import { Textarea } from '@/components/ui/textarea'
import { categoryTree, useAllCategories, useAllCounterparties, useAllProjects, type Category, type Counterparty, type Project } from '@/hooks/use-lookups'
import { applyServerError } from '@/lib/forms'
import { useI18n } from '@/lib/i18n'
import { CURRENCIES } from '@/lib/money'
import { today } from '@/lib/utils'

import { DIRECTIONS, useSaveInvoice, type InvoiceDetail, type InvoiceIn } from '../api'
import { messages } from '../i18n'
import { emptyLine, FORM_FIELDS, invoiceDefaults, invoiceSchema, invoiceToBody, invoiceTotal, lineAmount, mapServerField, MAX_LINES, type InvoiceValues } from '../schemas'

export function InvoiceDialog({ open, onOpenChange, editing }: { open: boolean; onOpenChange: (o: boolean) => void; editing?: InvoiceDetail | null }) {
  const { t } = useI18n(messages)
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-4xl">
        <DialogHeader>
          <DialogTitle>{editing ? t('invoices.editTitle') : t('invoices.newTitle')}</DialogTitle>
          <DialogDescription>{t('invoices.formDescription')}</DialogDescription>
        </DialogHeader>
        {open && <InvoiceForm key={editing?.id ?? 'new'} editing={editing} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  )
}

/** Loads what the form picks from and saves the draft. */
function InvoiceForm({ editing, onDone }: { editing?: InvoiceDetail | null; onDone: () => void }) {
  const { t } = useI18n(messages)
  const navigate = useNavigate()
  const projects = useAllProjects()
  const categories = useAllCategories()
  const counterparties = useAllCounterparties()
  const save = useSaveInvoice()
  const loadError = projects.error ?? categories.error ?? counterparties.error
  if (loadError) return <ErrorState error={loadError} />
  if (projects.isPending || categories.isPending || counterparties.isPending) return <LoadingState rows={4} />
  const refs = { projects: projects.data ?? [], categories: categories.data ?? [], counterparties: counterparties.data ?? [] }
  const onSubmit = async (body: InvoiceIn) => {
    const saved = await save.mutateAsync({ id: editing?.id, body })
    toast.success(editing ? t('invoices.saved') : t('invoices.created'))
    onDone()
    if (!editing) void navigate(`/invoices/${saved.id}`)
  }
  return <InvoiceEditor refs={refs} initial={editing} onSubmit={onSubmit} onCancel={onDone} />
}

export interface InvoiceRefs {
  projects: Project[]
  categories: Category[]
  counterparties: Counterparty[]
}

/** The draft's fields and lines with their running total; `onSubmit` throws an ApiError when the server refuses. */
export function InvoiceEditor({ refs, initial, onSubmit, onCancel }: { refs: InvoiceRefs; initial?: InvoiceDetail | null; onSubmit: (body: InvoiceIn) => Promise<void>; onCancel: () => void }) {
  const { t, te } = useI18n(messages)
  const form = useForm<InvoiceValues>({ resolver: zodResolver(invoiceSchema), defaultValues: invoiceDefaults(initial, today()) })
  const { errors, isSubmitting } = form.formState
  const lines = useFieldArray({ control: form.control, name: 'lines' })
  const editing = initial
  const submit = form.handleSubmit(async (v) => {
    try {
      await onSubmit(invoiceToBody(v))
    } catch (e) {
      form.setError('root.server', { type: 'server', message: e instanceof Error ? e.message : String(e) })
      applyServerError(e, form.setError, [...FORM_FIELDS, ...lines.fields.flatMap((_, i) => ['description', 'quantity', 'unit_price'].map((k) => `lines.${i}.${k}`))], mapServerField)
    }
  })

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate aria-label={t('invoices.form')}>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <FormField label={t('invoices.direction')}>
          <NativeSelect disabled={!!editing} {...form.register('direction')}>
            {DIRECTIONS.map((d) => (
              <option key={d} value={d}>
                {t(`invoiceDirection.${d}`)}
              </option>
            ))}
          </NativeSelect>
        </FormField>
        <FormField label={t('tx.counterparty')} error={te(errors.counterparty_id?.message)}>
          <NativeSelect {...form.register('counterparty_id')}>
            <option value="">{t('invoices.chooseCounterparty')}</option>
            {refs.counterparties
              .filter((c) => !c.archived)
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </NativeSelect>
        </FormField>
        <FormField label={t('common.currency')} error={te(errors.currency?.message)}>
          <NativeSelect {...form.register('currency')}>
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </NativeSelect>
        </FormField>
        <FormField label={t('invoices.externalNumber')} error={te(errors.external_number?.message)}>
          <Input {...form.register('external_number')} />
        </FormField>
        <FormField label={t('invoices.issueDate')} error={te(errors.issue_date?.message)}>
          <Input type="date" {...form.register('issue_date')} />
        </FormField>
        <FormField label={t('invoices.dueDate')} error={te(errors.due_date?.message)}>
          <Input type="date" {...form.register('due_date')} />
        </FormField>
      </div>
      <fieldset className="grid gap-2 rounded-md border p-3">
        <legend className="px-1 text-sm font-medium">{t('invoices.lines')}</legend>
        {lines.fields.map((field, i) => (
          <LineRow key={field.id} form={form} index={i} onRemove={lines.fields.length > 1 ? () => lines.remove(i) : undefined} projects={refs.projects} categories={categoryTree(refs.categories.filter((c) => !c.archived))} />
        ))}
        {errors.lines?.message && (
          <p className="text-destructive text-sm" role="alert">
            {te(errors.lines.message)}
          </p>
        )}
        <div className="flex items-center justify-between">
          <Button type="button" variant="outline" size="sm" disabled={lines.fields.length >= MAX_LINES} onClick={() => lines.append(emptyLine())}>
            <Plus /> {t('invoices.addLine')}
          </Button>
          <Total form={form} />
        </div>
      </fieldset>
      <FormField label={t('invoices.notes')} error={te(errors.notes?.message)}>
        <Textarea rows={2} {...form.register('notes')} />
      </FormField>
      {errors.root?.server && (
        <Alert variant="destructive">
          <AlertDescription>{errors.root.server.message}</AlertDescription>
        </Alert>
      )}
      <FormDialogFooter onCancel={onCancel} isSubmitting={isSubmitting} submitLabel={editing ? t('common.save') : t('invoices.create')} />
    </form>
  )
}

type Form = UseFormReturn<InvoiceValues>

function LineRow({
  form,
  index,
  onRemove,
  projects,
  categories,
}: {
  form: Form
  index: number
  onRemove?: () => void
  projects: { id: string; name: string; archived?: boolean }[]
  categories: { item: { id: string; name: string }; depth: number }[]
}) {
  const { t, te } = useI18n(messages)
  const [quantity, unitPrice, currency] = useWatch({ control: form.control, name: [`lines.${index}.quantity`, `lines.${index}.unit_price`, 'currency'] })
  const e = form.formState.errors.lines?.[index]
  const amount = lineAmount({ quantity, unit_price: unitPrice }, currency)
  const n = index + 1
  return (
    <div className="grid grid-cols-[1fr_6rem_8rem_9rem_9rem_8rem_2.5rem] items-start gap-2" data-testid="invoice-line">
      <FormField label={t('invoices.lineDescription', { n })} error={te(e?.description?.message)}>
        <Input {...form.register(`lines.${index}.description`)} />
      </FormField>
      <FormField label={t('invoices.quantity', { n })} error={te(e?.quantity?.message)}>
        <Input inputMode="decimal" {...form.register(`lines.${index}.quantity`)} />
      </FormField>
      <FormField label={t('invoices.unitPrice', { n })} error={te(e?.unit_price?.message)}>
        <Input inputMode="decimal" {...form.register(`lines.${index}.unit_price`)} />
      </FormField>
      <FormField label={t('invoices.lineProject', { n })}>
        <NativeSelect {...form.register(`lines.${index}.project_id`)}>
          <option value="">—</option>
          {projects
            .filter((p) => !p.archived)
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </NativeSelect>
      </FormField>
      <FormField label={t('invoices.lineCategory', { n })}>
        <NativeSelect {...form.register(`lines.${index}.category_id`)}>
          <option value="">—</option>
          {categories.map(({ item, depth }) => (
            <option key={item.id} value={item.id}>
              {'\u00a0'.repeat(depth * 2) + item.name}
            </option>
          ))}
        </NativeSelect>
      </FormField>
      <div className="grid gap-1.5 text-right">
        <span className="text-sm font-medium">{t('common.amount')}</span>
        <span className="py-2 tabular-nums" data-testid="line-amount">
          {amount ? <Money amount={amount} currency={currency} /> : '—'}
        </span>
      </div>
      <Button type="button" variant="ghost" size="icon" className="mt-6" onClick={onRemove} disabled={!onRemove} aria-label={t('invoices.removeLine', { n })}>
        <Trash2 />
      </Button>
    </div>
  )
}

function Total({ form }: { form: Form }) {
  const { t } = useI18n(messages)
  const [lines, currency] = useWatch({ control: form.control, name: ['lines', 'currency'] })
  return (
    <p className="text-sm">
      {t('invoices.total')}:{' '}
      <strong className="tabular-nums" data-testid="invoice-total">
        <Money amount={invoiceTotal(lines, currency)} currency={currency} />
      </strong>
    </p>
  )
}
