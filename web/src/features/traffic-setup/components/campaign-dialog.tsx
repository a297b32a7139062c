import toast from 'react-hot-toast'

import { LoadingState } from '@/components/states'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { useAllProjects } from '@/hooks/use-lookups'
import { useI18n } from '@/lib/i18n'
import { useAllTraffic, type Campaign } from '@/lib/traffic/entities'

import { useSaveTraffic, waitForCampaign } from '../api'
import { messages } from '../i18n'
import { campaignDefaults } from '../lib/campaigns'
import { CampaignForm } from './campaign-form'

/**
 * Creates or edits a campaign. `prefill` seeds a new one (e.g. from an unmatched report key);
 * `onSaved` runs once the read side holds the write.
 */
export function CampaignDialog({
  open,
  onOpenChange,
  campaign,
  prefill,
  onSaved,
}: {
  open: boolean
  onOpenChange: (o: boolean) => void
  campaign?: Campaign | null
  prefill?: Partial<Campaign>
  onSaved?: (id: string) => void
}) {
  const { t } = useI18n(messages)
  const save = useSaveTraffic('campaigns')
  const sources = useAllTraffic('sources')
  const offers = useAllTraffic('offers')
  const projects = useAllProjects()
  const ready = sources.data && offers.data && projects.data

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('common.close')} className="sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>{campaign ? t('campaigns.edit') : t('campaigns.new')}</DialogTitle>
          <DialogDescription>{t('campaigns.dialogDescription')}</DialogDescription>
        </DialogHeader>
        {!ready ? (
          <LoadingState rows={4} />
        ) : (
          <CampaignForm
            key={campaign?.id ?? 'new'}
            defaults={campaignDefaults(campaign ?? prefill)}
            refs={{ sources: sources.data, offers: offers.data, projects: projects.data }}
            currentIds={campaign ?? undefined}
            onCancel={() => onOpenChange(false)}
            onSubmit={async (body) => {
              const written = await save.mutateAsync({ id: campaign?.id, body })
              if (onSaved) {
                await waitForCampaign(written.id, written.position)
                onSaved(written.id)
              }
              toast.success(t('common.saved'))
              onOpenChange(false)
            }}
          />
        )}
      </DialogContent>
    </Dialog>
  )
}
