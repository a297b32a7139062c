import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { describe, expect, it, vi } from 'vitest'

import { I18nProvider, type Locale } from '@/lib/i18n'

import type { Import } from '../api'
import { ImportErrorsTable } from './import-errors'
import { ImportStatus } from './import-status'

const base: Import = {
  id: 'imp-1',
  source_id: 'src-1',
  format: null,
  detected_format: null,
  kind: null,
  file_name: 'moloco-oct.csv',
  sha256: 'ab',
  size_bytes: 1000,
  options: {},
  state: 'queued',
  rows_total: 1000,
  rows_done: 0,
  bytes_done: 0,
  progress: 0,
  rows_ok: 0,
  rows_failed: 0,
  rows_skipped: 0,
  error: null,
  date_from: null,
  date_to: null,
  duplicate_of: null,
  position: null,
  attempts: 0,
  created_by: null,
  created_at: '2026-11-01T10:00:00Z',
  started_at: null,
  finished_at: null,
}

function show(imp: Import, { locale = 'en' as Locale, onRetry = vi.fn(), canRetry = true } = {}) {
  render(
    <MemoryRouter>
      <I18nProvider locale={locale}>
        <ImportStatus imp={imp} sourceName="Moloco" unmatchedCount={2} canRetry={canRetry} onRetry={onRetry} errors={<div data-testid="errors-slot" />} />
      </I18nProvider>
    </MemoryRouter>,
  )
  return { onRetry }
}

describe('ImportStatus', () => {
  it('shows a live progress bar with rows done of total while running', () => {
    show({ ...base, state: 'running', rows_done: 400, bytes_done: 400, progress: 0.4 })
    expect(screen.getByRole('progressbar', { name: 'Import progress' })).toHaveAttribute('aria-valuenow', '40')
    expect(screen.getByTestId('rows-progress')).toHaveTextContent('400 of 1,000 rows')
    expect(screen.getByTestId('import-state')).toHaveTextContent('Running')
    expect(screen.queryByTestId('import-summary')).not.toBeInTheDocument()
  })

  it('formats the counts for the locale', () => {
    show({ ...base, state: 'running', rows_total: 12345, rows_done: 2500, progress: 0.2 }, { locale: 'ru' })
    expect(screen.getByTestId('rows-progress').textContent?.replace(/\s/g, ' ')).toBe('2 500 из 12 345 строк')
    expect(screen.getByTestId('import-state')).toHaveTextContent('Выполняется')
  })

  it('summarises a finished import: detected format, row counts, days, links onwards', () => {
    show({
      ...base,
      state: 'done',
      detected_format: 'moloco',
      kind: 'spend',
      rows_done: 1000,
      rows_ok: 997,
      rows_failed: 0,
      rows_skipped: 3,
      progress: 1,
      date_from: '2026-10-01',
      date_to: '2026-10-05',
      position: 42,
    })
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument()
    expect(screen.getByTestId('detected-format')).toHaveTextContent('Moloco')
    expect(screen.getByTestId('rows-ok')).toHaveTextContent('997')
    expect(screen.getByTestId('rows-skipped')).toHaveTextContent('3')
    expect(screen.getByText('Oct 1, 2026 – Oct 5, 2026')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'View metrics' })).toHaveAttribute('href', '/traffic/analytics?from=2026-10-01&to=2026-10-05&source_id=src-1')
    expect(screen.getByRole('link', { name: '2 unmatched campaign keys' })).toHaveAttribute('href', '/traffic/unmatched?import=imp-1')
    expect(screen.queryByTestId('errors-slot')).not.toBeInTheDocument()
  })

  it('shows why an import failed, its row errors and a retry that accepts valid rows', async () => {
    const { onRetry } = show({ ...base, state: 'failed', rows_done: 1000, rows_ok: 990, rows_failed: 10, error: '10 rows are invalid; nothing was imported' })
    const alert = screen.getByRole('alert')
    expect(within(alert).getByText('The import failed')).toBeInTheDocument()
    expect(screen.getByTestId('import-error')).toHaveTextContent('10 rows are invalid; nothing was imported')
    expect(screen.getByTestId('errors-slot')).toBeInTheDocument()
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry accepting valid rows' }))
    expect(onRetry).toHaveBeenCalledTimes(1)
  })

  it('offers no retry to a reader', () => {
    show({ ...base, state: 'failed', error: 'unknown format' }, { canRetry: false })
    expect(screen.queryByRole('button', { name: 'Retry accepting valid rows' })).not.toBeInTheDocument()
  })

  it('points a duplicate at the original import', () => {
    show({ ...base, state: 'duplicate', duplicate_of: 'imp-0' })
    expect(screen.getByText('Already imported')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Open the earlier import' })).toHaveAttribute('href', '/traffic/imports?import=imp-0')
  })
})

describe('ImportErrorsTable', () => {
  it('lists line, column, value and reason, paged', async () => {
    const onPage = vi.fn()
    render(
      <I18nProvider locale="en">
        <ImportErrorsTable
          rows={[
            { line: 12, column: 'Spend', value: 'abc', reason: 'not a number' },
            { line: 1200, column: 'Date', value: '2026-13-01', reason: 'not a date' },
          ]}
          total={25}
          pagination={{ pageIndex: 0, pageSize: 10 }}
          onPaginationChange={onPage}
        />
      </I18nProvider>,
    )
    const rows = screen.getAllByRole('row')
    expect(rows[0]).toHaveTextContent(/Line\s*Column\s*Value\s*Reason/)
    expect(rows[1]).toHaveTextContent('12Spendabcnot a number')
    expect(rows[2]).toHaveTextContent('1,200Date2026-13-01not a date')
    expect(screen.getByText('1–10 of 25')).toBeInTheDocument()
    await userEvent.setup().click(screen.getByRole('button', { name: 'Next page' }))
    expect(onPage).toHaveBeenCalled()
  })
})
