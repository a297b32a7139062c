import { FileUp } from 'lucide-react'
import { useId, useRef, useState, type DragEvent } from 'react'

import { Button } from '@/components/ui/button'
import { useI18n } from '@/lib/i18n'
import { cn } from '@/lib/utils'

/** A drop target for one file, with a button that opens the file chooser. */
export function FileDropZone({
  file,
  onFile,
  accept,
  disabled,
  hint,
}: {
  file: File | null
  onFile: (file: File) => void
  accept?: string
  disabled?: boolean
  hint?: string
}) {
  const { t, number } = useI18n()
  const input = useRef<HTMLInputElement>(null)
  const [over, setOver] = useState(false)
  const hintId = useId()

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault()
    setOver(false)
    if (disabled) return
    const f = e.dataTransfer.files?.[0]
    if (f) onFile(f)
  }

  return (
    <div
      data-testid="drop-zone"
      onDragEnter={(e) => {
        e.preventDefault()
        if (!disabled) setOver(true)
      }}
      onDragOver={(e) => {
        e.preventDefault()
        e.dataTransfer.dropEffect = disabled ? 'none' : 'copy'
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false)
      }}
      onDrop={onDrop}
      className={cn(
        'flex flex-col items-center justify-center gap-2 rounded-lg border-2 border-dashed p-6 text-center transition-colors',
        over ? 'border-primary bg-primary/5' : 'border-input',
        disabled && 'opacity-60',
      )}
    >
      <FileUp className="text-muted-foreground size-8" aria-hidden />
      {file ? (
        <p className="font-medium" data-testid="chosen-file">
          {file.name} <span className="text-muted-foreground font-normal">({t('upload.bytes', { size: number(file.size) })})</span>
        </p>
      ) : (
        <p className="font-medium">{t('upload.dropHere')}</p>
      )}
      {hint && (
        <p id={hintId} className="text-muted-foreground text-xs">
          {hint}
        </p>
      )}
      <input
        ref={input}
        type="file"
        accept={accept}
        className="sr-only"
        tabIndex={-1}
        aria-hidden
        data-testid="file-input"
        disabled={disabled}
        onChange={(e) => {
          const f = e.target.files?.[0]
          if (f) onFile(f)
          e.target.value = ''
        }}
      />
      <Button type="button" variant="outline" size="sm" disabled={disabled} onClick={() => input.current?.click()} aria-describedby={hint ? hintId : undefined}>
        {file ? t('upload.chooseOther') : t('upload.chooseFile')}
      </Button>
    </div>
  )
}
