import { Plus } from 'lucide-react'
import { useState } from 'react'
import toast from 'react-hot-toast'

import { FormField } from '@/components/form-field'
import { Spinner } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { NativeSelect } from '@/components/ui/native-select'
import { useI18n } from '@/lib/i18n'
import { useAllTraffic } from '@/lib/traffic/entities'
import type { UnmatchedKey } from '@/lib/traffic/unmatched'

import { useAddCampaignKey } from '../api'
import { messages } from '../i18n'
import { campaignsFor } from '../lib/campaigns'

/**
 * Maps an unmatched report key to a campaign: adds it to an existing campaign's source keys
 * (spend side) or tracker keys (results side), or hands over to creating a campaign with it.
 */
export function MapKeyDialog({
  unmatched,
  sourceName,
  onOpenChange,
  onCreateNew,
}: {
  unmatched: UnmatchedKey | null
  sourceName?: string
  onOpenChange: (open: boolean) => void
  onCreateNew: (key: UnmatchedKey) => void
}) {
  const { t, number } = useI18n(messages)
  const campaigns = useAllTraffic('campaigns')
  const add = useAddCampaignKey()
  const [campaignId, setCampaignId] = useState('')
  const [error, setError] = useState<string | undefined>()
  const options = unmatched ? campaignsFor(unmatched, campaigns.data ?? []) : []

  const close = (open: boolean) => {
    if (!open) {
      setCampaignId('')
      setError(undefined)
    }
    onOpenChange(open)
  }

  const submit = (e: React.FormEvent) => {
    e.preventDefault()
    if (!unmatched) return
    const campaign = options.find((c) => c.id === campaignId)
    if (!campaign) {
      setError(t('validation.required'))
      return
    }
    add.mutate(
      { campaign, side: unmatched.side === 'spend' ? 'spend' : 'results', key: unmatched.campaign_key },
      {
        onSuccess: () => {
          toast.success(t('unmatched.mapped', { key: unmatched.campaign_key, campaign: campaign.name }))
          close(false)
        },
      },
    )
  }

  return (
    <Dialog open={!!unmatched} onOpenChange={close}>
      <DialogContent closeLabel={t('common.close')}>
        <DialogHeader>
          <DialogTitle>{t('unmatched.mapTitle')}</DialogTitle>
          <DialogDescription>
            {unmatched &&
              t(unmatched.side === 'spend' ? 'unmatched.mapSpendDescription' : 'unmatched.mapResultsDescription', {
                key: unmatched.campaign_key,
                source: sourceName ?? '—',
                rows: number(unmatched.rows),
              })}
          </DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <FormField label={t('unmatched.campaign')} error={error} hint={options.length === 0 ? t('unmatched.noCampaigns') : undefined}>
            <NativeSelect
              value={campaignId}
              onChange={(e) => {
                setCampaignId(e.target.value)
                setError(undefined)
              }}
            >
              <option value="">{t('traffic.choose')}</option>
              {options.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </NativeSelect>
          </FormField>
          <DialogFooter className="sm:justify-between">
            <Button type="button" variant="outline" onClick={() => unmatched && onCreateNew(unmatched)}>
              <Plus /> {t('unmatched.createCampaign')}
            </Button>
            <Button type="submit" disabled={add.isPending}>
              {add.isPending && <Spinner />}
              {t('unmatched.addToCampaign')}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}
