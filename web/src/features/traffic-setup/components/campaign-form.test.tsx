import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import { ApiError } from '@/lib/api/problem'
import { I18nProvider } from '@/lib/i18n'
import type { CampaignSpec } from '@/lib/traffic/entities'

import { campaignDefaults } from '../lib/campaigns'
import { CampaignForm, type CampaignRefs } from './campaign-form'

vi.mock('react-hot-toast', () => ({ default: Object.assign(vi.fn(), { error: vi.fn(), success: vi.fn() }) }))

const ref = (id: string, name: string, archived = false) => ({ id, name, archived })
const refs: CampaignRefs = {
  sources: [ref('src-1', 'Moloco'), ref('src-old', 'Old DSP', true)],
  offers: [ref('off-1', 'Game CPI')],
  projects: [ref('prj-1', 'Games')],
}

function setup(onSubmit = vi.fn(async (_body: CampaignSpec) => {}), defaults = campaignDefaults()) {
  render(
    <I18nProvider locale="en">
      <CampaignForm defaults={defaults} refs={refs} onSubmit={onSubmit} onCancel={() => {}} />
    </I18nProvider>,
  )
  return { onSubmit, user: userEvent.setup() }
}

const tags = (label: string) =>
  within(screen.getByLabelText(label).closest('[data-slot="tag-input"]') as HTMLElement)
    .queryAllByTestId('tag')
    .map((t) => t.textContent)

describe('CampaignForm', () => {
  it('edits source and tracker keys as tag lists', async () => {
    const { onSubmit, user } = setup()
    await user.type(screen.getByLabelText('Name'), 'Game US')
    await user.selectOptions(screen.getByLabelText('Source'), 'src-1')
    const sourceKeys = screen.getByLabelText('Source keys')
    await user.type(sourceKeys, 'cmp-1{Enter}cmp-2,  cmp-2 {Enter}')
    expect(tags('Source keys')).toEqual(['cmp-1', 'cmp-2'])
    // Backspace in the empty box removes the last key; the chip's button removes its own.
    await user.type(sourceKeys, '{Backspace}')
    expect(tags('Source keys')).toEqual(['cmp-1'])
    // Pasting a list splits it.
    await user.click(screen.getByLabelText('Tracker keys'))
    await user.paste('k-1, k-2\nk-3')
    expect(tags('Tracker keys')).toEqual(['k-1', 'k-2', 'k-3'])
    await user.click(screen.getByRole('button', { name: 'Remove k-2' }))
    expect(tags('Tracker keys')).toEqual(['k-1', 'k-3'])
    // Text still in the box is added when it loses focus.
    await user.type(screen.getByLabelText('Tracker keys'), 'k-4')
    await user.click(screen.getByRole('button', { name: 'Save' }))

    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1))
    expect(onSubmit.mock.calls[0][0]).toEqual({
      name: 'Game US',
      source_id: 'src-1',
      offer_id: null,
      project_id: null,
      status: 'active',
      source_keys: ['cmp-1'],
      tracker_keys: ['k-1', 'k-3', 'k-4'],
      notes: null,
    })
  })

  it('validates required fields and keys before sending', async () => {
    const { onSubmit, user } = setup()
    await user.click(screen.getByRole('button', { name: 'Save' }))
    expect(await screen.findAllByText('Required')).toHaveLength(2)

    await user.type(screen.getByLabelText('Name'), 'X')
    await user.selectOptions(screen.getByLabelText('Source'), 'src-1')
    fireEvent.change(screen.getByLabelText('Source keys'), { target: { value: 'x'.repeat(201) } })
    fireEvent.keyDown(screen.getByLabelText('Source keys'), { key: 'Enter' })
    await user.click(screen.getByRole('button', { name: 'Save' }))
    expect(await screen.findByText('A key has at most 200 characters and no control characters')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()

    await user.click(screen.getByRole('button', { name: `Remove ${'x'.repeat(201)}` }))
    for (let i = 0; i < 51; i++) {
      fireEvent.change(screen.getByLabelText('Source keys'), { target: { value: `k${i}` } })
      fireEvent.keyDown(screen.getByLabelText('Source keys'), { key: 'Enter' })
    }
    await user.click(screen.getByRole('button', { name: 'Save' }))
    expect(await screen.findByText('At most 50 keys')).toBeInTheDocument()
    expect(onSubmit).not.toHaveBeenCalled()
  })

  it('shows a key conflict from the server on the key list', async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(409, { detail: 'source_keys: `cmp-1` already belongs to another campaign', code: 'conflict' }, 'HTTP 409')
    })
    const { user } = setup(onSubmit, campaignDefaults({ name: 'Dup', source_id: 'src-1', source_keys: ['cmp-1'] }))
    await user.click(screen.getByRole('button', { name: 'Save' }))
    expect(await screen.findByText('source_keys: `cmp-1` already belongs to another campaign')).toBeInTheDocument()
    expect(screen.getByLabelText('Source keys')).toHaveAttribute('aria-invalid', 'true')
  })

  it('keeps an archived source that the campaign already uses', () => {
    render(
      <I18nProvider locale="en">
        <CampaignForm
          defaults={campaignDefaults({ name: 'Old', source_id: 'src-old' })}
          refs={refs}
          currentIds={{ source_id: 'src-old' }}
          onSubmit={async () => {}}
          onCancel={() => {}}
        />
      </I18nProvider>,
    )
    expect(screen.getByLabelText('Source')).toHaveValue('src-old')
    expect(screen.getByRole('option', { name: 'Old DSP (archived)' })).toBeInTheDocument()
  })
})
