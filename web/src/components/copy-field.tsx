import { Check, Copy } from 'lucide-react'
import { useState } from 'react'

import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { useI18n } from '@/lib/i18n'

/** A read-only value (a link, a secret) with a copy button; the text is selectable too. */
export function CopyField({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const { t } = useI18n()
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value)
      setCopied(true)
      setTimeout(() => setCopied(false), 2000)
    } catch {
      // No clipboard permission (or an insecure origin): the value stays selectable.
      setCopied(false)
    }
  }
  return (
    <div className="flex gap-2">
      <Input readOnly value={value} aria-label={label} data-testid={testId} className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
      <Button type="button" variant="outline" onClick={() => void copy()} aria-label={t('common.copyNamed', { what: label })}>
        {copied ? <Check /> : <Copy />}
        <span className="hidden sm:inline">{copied ? t('common.copied') : t('common.copy')}</span>
      </Button>
    </div>
  )
}
