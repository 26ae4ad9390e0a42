import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesSource, type FitsValue, formatCards, formatReal, parseCard, readHeader } from '../src/index.js'

const card = (text: string) => parseCard(text.padEnd(80))

async function headerOf(lines: string[]) {
  const text = [...lines, 'END'.padEnd(80)].join('')
  const bytes = new Uint8Array(Math.ceil(text.length / 2880) * 2880).fill(32)
  bytes.set(new TextEncoder().encode(text))
  return readHeader(bytesSource(bytes), 0, { hdu: 0, maxHeaderBytes: 1 << 20 })
}

describe('parseCard', () => {
  it.each<[string, FitsValue, string]>([
    ["TTYPE1  = 'ra      '           / right ascension", 'ra', 'right ascension'],
    ["QUOTED  = 'it''s a ''test'''", "it's a 'test'", ''],
    ["LEADING = '  kept   '", '  kept', ''],
    ["EMPTY   = ''", '', ''],
    ["SLASH   = 'a/b' / c/d", 'a/b', 'c/d'],
    ['SIMPLE  =                    T / conforms', true, 'conforms'],
    ['FLAG    =                    F', false, ''],
    ['NAXIS1  =                   21 / length', 21, 'length'],
    ['NEG     =                  -42', -42, ''],
    ['BIG     =  9223372036854775808', 9223372036854775808n, ''],
    ['SAFE    =     9007199254740991', 9007199254740991, ''],
    ['ZEROS   =  0000000000000000012', 12, ''],
    ['REAL    =              -1.5E-3', -0.0015, ''],
    ['DEXP    =              1.5D+03', 1500, ''],
    ['LOWER   =                2.5e2', 250, ''],
    ['POINT   =                  .25', 0.25, ''],
    ['CPLX    =          (1.5, -2.0) / z', { re: 1.5, im: -2 }, 'z'],
    ['UNDEF   =                      / nothing here', null, 'nothing here'],
  ])('%s', (text, value, comment) => {
    const parsed = card(text)
    expect(parsed.kind).toBe('value')
    expect(parsed.value).toEqual(value)
    expect(parsed.comment).toBe(comment)
    expect(parsed.raw).toBe(text.padEnd(80))
    expect(parsed.problem).toBeUndefined()
  })

  it('commentary cards keep their text as the comment', () => {
    expect(card('COMMENT   indented text  ')).toMatchObject({
      kind: 'commentary',
      keyword: 'COMMENT',
      comment: '  indented text',
    })
    expect(card('HISTORY x = 1')).toMatchObject({ kind: 'commentary', keyword: 'HISTORY', value: null })
    expect(card('        blank keyword')).toMatchObject({ kind: 'commentary', keyword: '' })
    expect(card('NOVALUE  no equals sign here')).toMatchObject({ kind: 'commentary', keyword: 'NOVALUE' })
  })

  it('HIERARCH cards are keyed by the words after HIERARCH', () => {
    const parsed = card("HIERARCH ESO DET CHIP NAME = 'CCD-42' / chip")
    expect(parsed).toMatchObject({ keyword: 'ESO DET CHIP NAME', value: 'CCD-42', comment: 'chip' })
  })

  it('keeps unparseable values as problems instead of failing', () => {
    expect(card('BAD     = 12 34')).toMatchObject({ value: null, problem: "cannot parse value '12 34'" })
    expect(card("OPEN    = 'never closed")).toMatchObject({
      value: 'never closed',
      problem: 'string value has no closing quote',
    })
  })

  it('recognises END only when the rest of the card is blank', () => {
    expect(card('END').kind).toBe('end')
    expect(card('ENDING  = 1').kind).toBe('value')
  })
})

describe('readHeader', () => {
  it('joins CONTINUE long strings and keeps every raw card', async () => {
    const lines = formatCards('LONGSTR', `${'x'.repeat(100)}it's long`, 'long comment')
    expect(lines.length).toBeGreaterThan(1)
    const header = await headerOf(['SIMPLE  =                    T'.padEnd(80), ...lines])
    expect(header.byKeyword.get('LONGSTR')!.value).toBe(`${'x'.repeat(100)}it's long`)
    expect(header.byKeyword.get('LONGSTR')!.comment).toBe('long comment')
    expect(header.cards.map((c) => c.raw)).toEqual([
      'SIMPLE  =                    T'.padEnd(80),
      ...lines,
      'END'.padEnd(80),
    ])
    expect(header.cards.slice(2, -1).every((c) => c.kind === 'continue')).toBe(true)
    expect(header.end).toBe(2880)
  })

  it('leaves a string ending in & alone when no CONTINUE follows', async () => {
    const header = await headerOf(["AMP     = 'rock&'".padEnd(80), 'COMMENT x'.padEnd(80)])
    expect(header.byKeyword.get('AMP')!.value).toBe('rock&')
  })
})

describe('property: header values survive formatCards then parsing', () => {
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 300,
  })

  it('strings of any length (trailing spaces are not significant)', async () => {
    await fc.assert(
      fc.asyncProperty(printable, async (text) => {
        const header = await headerOf(formatCards('STR', text))
        expect(header.byKeyword.get('STR')!.value).toBe(text.trimEnd())
      }),
      { numRuns: 300 },
    )
  })

  it('integers, exact beyond 2^53', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (big) => {
        const [text] = formatCards('INT', big)
        const safe = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
        expect(parseCard(text!).value).toEqual(safe ? Number(big) : big)
      }),
    )
  })

  it('doubles, bit for bit (including -0 and subnormals)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const [text] = formatCards('REAL', value)
        expect(Object.is(parseCard(text!).value, value)).toBe(true)
        expect(Object.is(Number(formatReal(value)), value)).toBe(true)
      }),
    )
  })

  it('logicals, complex values and comments', () => {
    const comment = fc.stringMatching(/^[A-Za-z0-9][ -~]{0,30}[A-Za-z0-9]$/)
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true })
    const value = fc.oneof(fc.boolean(), fc.record({ re: finite, im: finite }))
    fc.assert(
      fc.property(value, comment, (v, text) => {
        const [line] = formatCards('VAL', v, text)
        const parsed = parseCard(line!)
        expect(parsed.value).toEqual(v)
        if (line!.length === 80 && line!.trimEnd().endsWith(text)) expect(parsed.comment).toBe(text)
      }),
    )
  })
})
