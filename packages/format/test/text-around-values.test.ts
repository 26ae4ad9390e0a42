import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinTextGroup, splitTextGroup } from '../src/index.js'
import { TextChunkFlag, TextColumnKind } from '../src/text-table.js'
import { sameBytes, sampleFiles } from './helpers.js'

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))

/** A copy of a chunk with its last two bytes (a padded width, or affix lengths) replaced. */
function withTail(chunk: Uint8Array, beforeLast: number, last: number): Uint8Array {
  const copy = chunk.slice()
  copy[copy.byteLength - 2] = beforeLast
  copy[copy.byteLength - 1] = last
  return copy
}

/** Fields as catalogs write them (grid values and prefixed IDs among them) and the awkward ones. */
const field = fc.oneof(
  fc.integer({ min: -99999, max: 99999 }).map((k) => String(k / 100)),
  fc.integer().map(String),
  fc.double({ noNaN: true }).map(String),
  // Degrees from h:m:s at 0.01 s, printed to 10 decimals.
  fc.integer({ min: 0, max: 8_639_999 }).map((k) => String(Number((k / 24000).toFixed(10)))),
  fc.integer({ min: 0, max: 999_999 }).map((k) => `HIP ${k}`),
  fc.constantFrom('', ' ', '-0', 'null', 'x', '1e-7', '.5', ' 5', '5 '),
)
/** Tables of 1 to 4 columns of such fields, 1 to 80 rows. */
const tables = fc
  .integer({ min: 1, max: 4 })
  .chain((columns) =>
    fc.array(fc.array(field, { minLength: columns, maxLength: columns }), { minLength: 1, maxLength: 80 }),
  )

function expectCorrupt(parts: Uint8Array[], delimiter: number): void {
  expect(() => joinTextGroup(parts, delimiter)).toThrow(expect.objectContaining({ code: 'CORRUPT_CHUNK' }))
}

/** Fields right-aligned with spaces to their column's widest, as VizieR's TSV writes them. */
function rightAligned(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
  const lines = rows.map((row) => row.map((field, c) => field.padStart(widths[c]!)).join('\t'))
  return `${lines.join('\n')}\n`
}

describe('columns right-aligned with spaces (VizieR TSV)', () => {
  it('store the real catalog padded, as values, and rebuild it byte for byte', async () => {
    const [csv] = await sampleFiles(['tables/hipparcos-kstars-first4000.csv'])
    const lines = new TextDecoder('latin1').decode(csv!.bytes).trimEnd().split('\n').slice(1)
    const tsv = latin1(rightAligned(lines.map((line) => line.split(','))))
    const parts = splitTextGroup(tsv, 9, 13)
    expect(sameBytes(joinTextGroup(parts, 9), tsv)).toBe(true)
    // ra, dec (grids), pmra, pmdec, parallax (decimals): values, padded to their width.
    for (const part of parts.slice(0, 5)) {
      expect(part[0]).not.toBe(TextColumnKind.text)
      expect(part[2]! & TextChunkFlag.padded).toBe(TextChunkFlag.padded)
    }
    // Padding costs a chunk its two bytes of width and the spaces of its exceptions, not a byte a field.
    const plain = splitTextGroup(latin1(`${lines.join('\n')}\n`), 44, 13)
    for (let c = 0; c < 5; c++) expect(parts[c]!.byteLength).toBeLessThan(plain[c]!.byteLength * 1.01 + 2)
  })

  it('come back byte for byte whatever the fields, widths, blanks and line ends', () => {
    fc.assert(
      fc.property(tables, fc.boolean(), (rows, crlf) => {
        const text = rightAligned(rows)
        const tsv = latin1(crlf ? text.replaceAll('\n', '\r\n') : text)
        expect(sameBytes(joinTextGroup(splitTextGroup(tsv, 9, rows[0]!.length), 9), tsv)).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })

  it('between bars, as astropy writes its fixed_width tables, come back byte for byte', () => {
    const BAR = 124
    fc.assert(
      fc.property(tables, fc.boolean(), (rows, crlf) => {
        // `| 1.5 |  -2 |`: a space, the field right-aligned to its column's widest, a space, a bar.
        const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
        const lines = rows.map((row) => `|${row.map((f, c) => ` ${f.padStart(widths[c]!)} `).join('|')}|`)
        const text = `${lines.join('\n')}\n`
        const group = latin1(crlf ? text.replaceAll('\n', '\r\n') : text)
        const parts = splitTextGroup(group, BAR, rows[0]!.length + 2)
        expect(sameBytes(joinTextGroup(parts, BAR), group)).toBe(true)
      }),
      { numRuns: 1000 },
    )
    // Numbers padded then followed by a space are stored as values, not text.
    const numbers = Array.from({ length: 200 }, (_, i) => [String(i * 7), (i / 8).toFixed(3)])
    const widths = [4, 6]
    const text = numbers.map((row) => `|${row.map((f, c) => ` ${f.padStart(widths[c]!)} `).join('|')}|`)
    const parts = splitTextGroup(latin1(`${text.join('\n')}\n`), BAR, 4)
    for (const part of parts.slice(1, 3)) {
      expect(part[0]).toBe(TextColumnKind.fixed)
      expect(part[2]! & (TextChunkFlag.padded | TextChunkFlag.affixed)).toBe(
        TextChunkFlag.padded | TextChunkFlag.affixed,
      )
    }
  })

  it('give typed errors for padding on a text column, a width under 2 or a chunk cut short', () => {
    // A number column, and a text column of 100 distinct words (not a dictionary, not integers).
    const word = (i: number) => `x${'abcdefghij'[i % 10]}${'klmnopqrst'[Math.floor(i / 10) % 10]}`
    const group = latin1(rightAligned(Array.from({ length: 300 }, (_, i) => [String(i * 7.25), word(i)])))
    const [number, text] = splitTextGroup(group, 9, 2) as [Uint8Array, Uint8Array]
    expect([number[2], text[0]]).toEqual([TextChunkFlag.padded, TextColumnKind.text])
    const paddedText = text.slice()
    paddedText[2] = TextChunkFlag.padded
    for (const damaged of [
      [withTail(number, 1, 0), text],
      [number.subarray(0, 9), text],
      [number, paddedText],
    ])
      expectCorrupt(damaged, 9)
  })
})

/** Every field in double quotes, as Python's csv.QUOTE_ALL and some archives' exports write them. */
const quoteAll = (rows: string[][]) => `${rows.map((row) => row.map((f) => `"${f}"`).join(',')).join('\n')}\n`

describe('values with quotes or spaces around them', () => {
  it('store a real catalog quoted throughout, or with a space after each comma, as values', async () => {
    const [csv] = await sampleFiles(['tables/hipparcos-kstars-first4000.csv'])
    const lines = new TextDecoder('latin1').decode(csv!.bytes).trimEnd().split('\n').slice(1)
    const plain = splitTextGroup(latin1(`${lines.join('\n')}\n`), 44, 13)
    for (const text of [
      quoteAll(lines.map((line) => line.split(','))),
      `${lines.join('\n').replaceAll(',', ', ')}\n`,
    ]) {
      const group = latin1(text)
      const parts = splitTextGroup(group, 44, 13)
      expect(sameBytes(joinTextGroup(parts, 44), group)).toBe(true)
      // ra, dec (grids), pmra, pmdec, parallax (decimals) as in the plain file, with the text around them.
      for (let c = 0; c < 5; c++) {
        expect(parts[c]![0], `column ${c}`).toBe(plain[c]![0])
        if (c > 0 || text.startsWith('"'))
          expect(parts[c]![2]! & TextChunkFlag.affixed).toBe(TextChunkFlag.affixed)
        expect(parts[c]!.byteLength).toBeLessThan(plain[c]!.byteLength * 1.02 + 8)
      }
    }
  })

  it('come back byte for byte whatever the fields, quoted or spaced, and line ends', () => {
    fc.assert(
      fc.property(tables, fc.constantFrom('quoted', 'spaced'), fc.boolean(), (rows, layout, crlf) => {
        const text =
          layout === 'quoted' ? quoteAll(rows) : `${rows.map((row) => row.join(', ')).join('\n')}\n`
        const group = latin1(crlf ? text.replaceAll('\n', '\r\n') : text)
        expect(sameBytes(joinTextGroup(splitTextGroup(group, 44, rows[0]!.length), 44), group)).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })

  it('give typed errors for affixes longer than the chunk or on an integer column', () => {
    const group = latin1(quoteAll(Array.from({ length: 300 }, (_, i) => [String(i * 7.25), String(i)])))
    const [number, other] = splitTextGroup(group, 44, 2) as [Uint8Array, Uint8Array]
    expect(number[2]).toBe(TextChunkFlag.affixed)
    const integer = number.slice()
    integer[0] = TextColumnKind.integer
    for (const damaged of [withTail(number, 255, 255), number.subarray(0, 9), integer])
      expectCorrupt([damaged, other], 44)
  })
})
