/**
 * Characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a
 * formula, per OWASP's "CSV Injection" page: `=`, `+`, `-`, `@`, tab and carriage return.
 */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * A plain signed decimal such as `-12.50` or `+3`. It starts with a formula character but a
 * spreadsheet reads it as the number it is, and it cannot call anything, so it is written as
 * it is: amounts stay numbers in the sheet. Anything else after the sign (`-1e5`,
 * `-2+3+cmd|…`, `- 3`) is treated as text and neutralised.
 */
const PLAIN_DECIMAL = /^[+-]?\d+(\.\d+)?$/

/**
 * One CSV cell. Formula-like text is neutralised the OWASP way (a leading `'` and quotes),
 * so an exported name or description can never run in the reader's spreadsheet; other cells
 * follow RFC 4180 (quoted when they hold a separator, a quote or a line break).
 */
function cell(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v)
  const formula = FORMULA_START.test(s) && !PLAIN_DECIMAL.test(s)
  const text = formula ? `'${s}` : s
  return formula || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** RFC 4180 CSV with formula-like text neutralised (see {@link cell}); records end with CRLF. */
export function toCsv(rows: (string | number | null | undefined)[][]): string {
  return rows.map((r) => r.map(cell).join(',')).join('\r\n')
}

export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8') {
  const blob = new Blob(['\ufeff', text], { type })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
