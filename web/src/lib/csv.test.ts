import { describe, expect, it } from 'vitest'

import { toCsv } from './csv'

describe('toCsv', () => {
  it('quotes separators, quotes and line breaks (RFC 4180)', () => {
    expect(toCsv([['a,b', 'say "hi"', 'x\ny', 'plain']])).toBe('"a,b","say ""hi""","x\ny",plain')
  })

  it("neutralises text that a spreadsheet would run as a formula: a leading ' and quotes (OWASP)", () => {
    const cells = ['=HYPERLINK("http://evil","x")', '+1+cmd', '-2+3+cmd|\' /C calc\'!A0', '@SUM(A1)', '\t=1', '\r=1']
    const out = toCsv([cells])
    expect(out).toBe(
      [`"'=HYPERLINK(""http://evil"",""x"")"`, `"'+1+cmd"`, `"'-2+3+cmd|' /C calc'!A0"`, `"'@SUM(A1)"`, `"'\t=1"`, `"'\r=1"`].join(','),
    )
  })

  it('keeps plain signed decimal numbers as numbers, as strings or as numbers', () => {
    expect(toCsv([['-12.50', '+3', '-0.000001', -7.5, 42, '100.00']])).toBe('-12.50,+3,-0.000001,-7.5,42,100.00')
  })

  it('neutralises look-alike numbers that are not plain decimals', () => {
    expect(toCsv([['-1e5', '-12.50+A1', '- 3', '-', '+']])).toBe(`"'-1e5","'-12.50+A1","'- 3","'-","'+"`)
  })

  it('leaves other text alone and writes empty cells for null and undefined', () => {
    expect(toCsv([['Bank', null, undefined, 'a=b', ' =not leading']])).toBe('Bank,,,a=b, =not leading')
  })
})
