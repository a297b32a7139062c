import { fireEvent, render, screen } from '@testing-library/react'
import { useState } from 'react'
import { describe, expect, it, vi } from 'vitest'

import { I18nProvider, useI18n, type Locale } from '@/lib/i18n'

import { DateField } from './date-field'

function Harness({ initial, onValue }: { initial: string; onValue: (v: string) => void }) {
  const [value, setValue] = useState(initial)
  const { setLocale, locale } = useI18n()
  return (
    <>
      <DateField
        aria-label="Day"
        value={value}
        onChange={(v) => {
          setValue(v)
          onValue(v)
        }}
      />
      <button type="button" onClick={() => setLocale(locale === 'en' ? 'ru' : 'en')}>
        switch
      </button>
      <output data-testid="value">{value}</output>
    </>
  )
}

function setup(locale: Locale, initial = '2026-11-05') {
  const onValue = vi.fn()
  render(
    <I18nProvider locale={locale}>
      <Harness initial={initial} onValue={onValue} />
    </I18nProvider>,
  )
  return { input: screen.getByLabelText('Day') as HTMLInputElement, onValue }
}

describe('DateField', () => {
  it('shows the day in the app’s language, not the browser’s', () => {
    expect(setup('ru').input.value).toBe('05.11.2026')
  })

  it('reads a typed day in the app’s language and hands on an ISO day', () => {
    const { input, onValue } = setup('ru', '')
    expect(input.placeholder).toBe('ДД.ММ.ГГГГ')
    fireEvent.change(input, { target: { value: '1.12.2026' } })
    expect(onValue).toHaveBeenLastCalledWith('2026-12-01')
    expect(screen.getByTestId('value')).toHaveTextContent('2026-12-01')
    // The typed text stays as typed while it means the value.
    expect(input.value).toBe('1.12.2026')
  })

  it('keeps the value while the text is no day, marks it, and restores it on leaving', () => {
    const { input, onValue } = setup('en')
    expect(input.value).toBe('11/05/2026')
    fireEvent.change(input, { target: { value: '13/45/2026' } })
    expect(onValue).not.toHaveBeenCalled()
    expect(input).toHaveAttribute('aria-invalid', 'true')
    fireEvent.blur(input)
    expect(input.value).toBe('11/05/2026')
    expect(input).not.toHaveAttribute('aria-invalid')
  })

  it('clears to an empty value', () => {
    const { input, onValue } = setup('en')
    fireEvent.change(input, { target: { value: '' } })
    expect(onValue).toHaveBeenLastCalledWith('')
  })

  it('rewrites the text when the language changes', () => {
    const { input } = setup('en')
    fireEvent.click(screen.getByText('switch'))
    expect(input.value).toBe('05.11.2026')
  })
})
