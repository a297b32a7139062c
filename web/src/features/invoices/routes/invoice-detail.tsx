import { ArrowLeft, Ban, Banknote, Pencil, Send } from 'lucide-react'
import { useState } from 'react'
import { Link, useParams } from 'react-router'

import { Money } from '@/components/money'
import { PageHeader } from '@/components/page-header'
import { ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { useAllCounterparties } from '@/hooks/use-lookups'
import { can, useRole } from '@/lib/auth'
import { useI18n } from '@/lib/i18n'

import { useCancelInvoice, useInvoice, type Direction } from '../api'
import { IssueDialog, PaymentDialog } from '../components/invoice-actions'
import { InvoiceDialog } from '../components/invoice-dialog'
import { InvoiceStatusBadge } from '../components/invoice-parts'
import { messages } from '../i18n'

type Open = 'edit' | 'issue' | 'pay' | null

export default function InvoiceDetailPage() {
  const { id = '' } = useParams()
  const { t, date } = useI18n(messages)
  const writer = can.writeBooks(useRole())
  const q = useInvoice(id)
  const counterparties = useAllCounterparties()
  const cancel = useCancelInvoice()
  const [open, setOpen] = useState<Open>(null)
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />
  if (q.isPending) return <LoadingState />
  const inv = q.data
  const name = counterparties.data?.find((c) => c.id === inv.counterparty_id)?.name ?? '—'
  const payable = ['issued', 'partially_paid', 'overdue', 'paid'].includes(inv.status)
  const onCancel = () => {
    if (window.confirm(t('invoices.cancelConfirm'))) cancel.mutate({ id: inv.id })
  }
  const facts: [string, React.ReactNode][] = [
    [t('invoices.direction'), t(`invoiceDirection.${inv.direction as Direction}`)],
    [t('tx.counterparty'), name],
    [t('invoices.issueDate'), date(inv.issue_date)],
    [t('invoices.dueDate'), date(inv.due_date)],
    [t('invoices.total'), <Money key="t" amount={inv.total} currency={inv.currency} />],
    [t('invoices.paid'), <Money key="p" amount={inv.paid} currency={inv.currency} />],
    [t('invoices.open'), <Money key="o" amount={inv.open} currency={inv.currency} />],
  ]
  if (inv.external_number) facts.push([t('invoices.externalNumber'), inv.external_number])
  return (
    <>
      <Link to="/invoices" className="text-muted-foreground mb-2 inline-flex items-center gap-1 text-sm hover:underline">
        <ArrowLeft className="size-4" /> {t('nav.invoices')}
      </Link>
      <PageHeader
        title={inv.number ?? t('invoices.draftNumber')}
        description={<InvoiceStatusBadge status={inv.status} />}
        actions={
          writer && (
            <>
              {inv.status === 'draft' && (
                <>
                  <Button variant="outline" onClick={() => setOpen('edit')}>
                    <Pencil /> {t('common.edit')}
                  </Button>
                  <Button onClick={() => setOpen('issue')}>
                    <Send /> {t('invoices.issue')}
                  </Button>
                </>
              )}
              {payable && inv.status !== 'paid' && (
                <Button onClick={() => setOpen('pay')}>
                  <Banknote /> {t('invoices.recordPayment')}
                </Button>
              )}
              {inv.status !== 'cancelled' && (
                <Button variant="outline" onClick={onCancel} disabled={cancel.isPending}>
                  <Ban /> {t('invoices.cancel')}
                </Button>
              )}
            </>
          )
        }
      />
      <dl className="mb-6 grid grid-cols-2 gap-x-6 gap-y-2 text-sm md:grid-cols-4">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt className="text-muted-foreground">{k}</dt>
            <dd className="font-medium tabular-nums">{v}</dd>
          </div>
        ))}
      </dl>
      {inv.notes && <p className="text-muted-foreground mb-6 text-sm whitespace-pre-line">{inv.notes}</p>}
      <h2 className="mb-2 font-medium">{t('invoices.lines')}</h2>
      <div className="mb-6 rounded-md border">
        <Table aria-label={t('invoices.lines')}>
          <TableHeader>
            <TableRow>
              <TableHead>{t('common.description')}</TableHead>
              <TableHead className="text-right">{t('invoices.quantityHeader')}</TableHead>
              <TableHead className="text-right">{t('invoices.unitPriceHeader')}</TableHead>
              <TableHead className="text-right">{t('common.amount')}</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {inv.lines.map((l, i) => (
              <TableRow key={i}>
                <TableCell>{l.description}</TableCell>
                <TableCell className="text-right tabular-nums">{l.quantity}</TableCell>
                <TableCell className="text-right tabular-nums">{l.unit_price}</TableCell>
                <TableCell className="text-right">
                  <Money amount={l.amount} currency={inv.currency} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
          <TableFooter>
            <TableRow>
              <TableCell colSpan={3}>{t('invoices.total')}</TableCell>
              <TableCell className="text-right">
                <Money amount={inv.total} currency={inv.currency} />
              </TableCell>
            </TableRow>
          </TableFooter>
        </Table>
      </div>
      <h2 className="mb-2 font-medium">{t('invoices.payments')}</h2>
      {inv.payments.length === 0 ? (
        <p className="text-muted-foreground mb-6 text-sm">{t('invoices.noPayments')}</p>
      ) : (
        <div className="mb-6 rounded-md border">
          <Table aria-label={t('invoices.payments')}>
            <TableHeader>
              <TableRow>
                <TableHead>{t('common.date')}</TableHead>
                <TableHead className="text-right">{t('common.amount')}</TableHead>
                <TableHead className="text-right">{t('invoices.rateHeader')}</TableHead>
                <TableHead className="text-right">{t('invoices.applied')}</TableHead>
                <TableHead>{t('invoices.posting')}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {inv.payments.map((p) => (
                <TableRow key={p.transaction_id} data-testid="invoice-payment">
                  <TableCell>{date(p.date)}</TableCell>
                  <TableCell className="text-right">
                    <Money amount={p.amount} currency={p.currency} />
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{p.rate ?? '—'}</TableCell>
                  <TableCell className="text-right">
                    <Money amount={p.applied} currency={inv.currency} />
                  </TableCell>
                  <TableCell>
                    <Link to={`/transactions/${p.transaction_id}`} className="text-primary underline-offset-4 hover:underline">
                      {t('invoices.openPosting')}
                    </Link>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {(inv.transaction_ids.length > 0 || inv.reversal_ids.length > 0) && (
        <>
          <h2 className="mb-2 font-medium">{t('invoices.postings')}</h2>
          <ul className="mb-6 grid gap-1 text-sm">
            {inv.transaction_ids.map((tid) => (
              <li key={tid}>
                <Link to={`/transactions/${tid}`} className="text-primary underline-offset-4 hover:underline" data-testid="invoice-posting">
                  {t('invoices.postingLink', { id: tid.slice(0, 8) })}
                </Link>
              </li>
            ))}
            {inv.reversal_ids.map((tid) => (
              <li key={tid}>
                <Link to={`/transactions/${tid}`} className="text-primary underline-offset-4 hover:underline">
                  {t('invoices.reversalLink', { id: tid.slice(0, 8) })}
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
      {writer && <InvoiceDialog open={open === 'edit'} onOpenChange={(o) => setOpen(o ? 'edit' : null)} editing={inv} />}
      {writer && <IssueDialog invoice={inv} open={open === 'issue'} onOpenChange={(o) => setOpen(o ? 'issue' : null)} />}
      {writer && <PaymentDialog invoice={inv} open={open === 'pay'} onOpenChange={(o) => setOpen(o ? 'pay' : null)} />}
    </>
  )
}
