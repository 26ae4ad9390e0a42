import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fixedLinesEnd, joinTextGroup, splitTextGroup } from '../src/index.js'
import { TextChunkFlag, TextColumnKind } from '../src/text-table.js'
import { sameBytes } from './helpers.js'

const SPACE = 32
const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
const EOPC04 = new URL('../../readers/test/fixtures/fixed-width/iers-eopc04-head.txt', import.meta.url)

/** The IERS series' data lines (below its 14 header lines), and where its 15 delimiters stand. */
const eop = readFileSync(EOPC04).subarray(900)
const EOP_SEPARATORS = [4, 8, 12, 19, 30, 41, 53, 65, 76, 87, 98, 109, 120, 131, 143]

/** Fields as fixed-width tables hold them: numbers, blanks (nulls), words with spaces inside. */
const field = fc.oneof(
  fc.integer({ min: -99999, max: 99999 }).map((k) => (k / 1000).toFixed(3)),
  fc.integer({ min: -9999, max: 99999 }).map(String),
  fc.double({ noNaN: true }).map(String),
  fc.constantFrom('', 'alp CMa', 'x', '-0', '1.0D-05'),
)

/** Rows written with each column right-aligned to its widest field and one space between columns. */
function fixedWidth(rows: string[][], extra: string[]): { text: string; separators: number[] } {
  const widths = rows[0]!.map((_, c) => Math.max(1, ...rows.map((row) => row[c]!.length)))
  const separators: number[] = []
  let at = 0
  for (const width of widths.slice(0, -1)) {
    at += width
    separators.push(at)
    at++
  }
  const lines = rows.map(
    (row, r) => row.map((f, c) => f.padStart(widths[c]!)).join(' ') + extra[r % extra.length],
  )
  return { text: `${lines.join('\n')}\n`, separators }
}

const tables = fc
  .integer({ min: 2, max: 5 })
  .chain((columns) =>
    fc.tuple(
      fc.array(fc.array(field, { minLength: columns, maxLength: columns }), { minLength: 1, maxLength: 60 }),
      fc.array(fc.constantFrom('', '', ', Sirius', '   '), { minLength: 1, maxLength: 4 }),
    ),
  )

describe('fixed-width text tables: fields split at given positions, joined by the delimiter', () => {
  it('store the IERS series as padded values and rebuild it byte for byte', () => {
    const parts = splitTextGroup(eop, SPACE, 16, EOP_SEPARATORS)
    expect(sameBytes(joinTextGroup(parts, SPACE), eop)).toBe(true)
    // Every column as 4-byte values (year, month, day and MJD as decimals of scale 0; the small values of
    // the later columns on a grid), right-aligned with spaces but the first (it fills its field).
    for (const part of parts) expect([TextColumnKind.fixed, TextColumnKind.grid]).toContain(part[0])
    for (const part of parts.slice(1)) expect(part[2]! & TextChunkFlag.padded).toBe(TextChunkFlag.padded)
    // No exceptions: a value per field, plus each chunk's header and tail.
    const stored = parts.reduce((sum, part) => sum + part.byteLength, 0)
    expect(stored).toBeLessThan(800 * 16 * 4 + 16 * 24)
  })

  it('split where the delimiter stands, not wherever a space does', () => {
    const parts = splitTextGroup(eop, SPACE, 16, EOP_SEPARATORS)
    const byDelimiter = splitTextGroup(eop, SPACE, 16)
    expect(parts[0]![0]).not.toBe(TextColumnKind.raw)
    expect(byDelimiter[0]![0]).toBe(TextColumnKind.raw) // runs of spaces: other field counts
  })

  it('come back byte for byte whatever the fields, names after the last column and line ends', () => {
    fc.assert(
      fc.property(tables, fc.boolean(), ([rows, extra], crlf) => {
        const { text, separators } = fixedWidth(rows, extra)
        const group = latin1(crlf ? text.replaceAll('\n', '\r\n') : text)
        expect(fixedLinesEnd(group, SPACE, separators, crlf)).toBe(group.byteLength)
        const parts = splitTextGroup(group, SPACE, separators.length + 1, separators)
        expect(parts[0]![0]).not.toBe(TextColumnKind.raw)
        expect(sameBytes(joinTextGroup(parts, SPACE), group)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('end a group before the first line without the delimiters, and keep a group holding one plain', () => {
    const lines = new TextDecoder('latin1').decode(eop).split('\n').slice(0, 20)
    const footer = 'END OF SERIES'
    const text = latin1(`${lines.join('\n')}\n${footer}\n${lines[0]}\n`)
    const end = fixedLinesEnd(text, SPACE, EOP_SEPARATORS, false)
    expect(end).toBe(lines.join('\n').length + 1)
    // A line cut short, a non-space where a delimiter stands, a CR LF among LF: each ends the lines there.
    const cut = latin1(`${lines[0]}\n${lines[1]!.slice(0, 100)}\n`)
    expect(fixedLinesEnd(cut, SPACE, EOP_SEPARATORS, false)).toBe(lines[0]!.length + 1)
    const filled = latin1(`${lines[0]}\n${lines[1]!.slice(0, 4)}X${lines[1]!.slice(5)}\n`)
    expect(fixedLinesEnd(filled, SPACE, EOP_SEPARATORS, false)).toBe(lines[0]!.length + 1)
    const mixed = latin1(`${lines[0]}\n${lines[1]}\r\n`)
    expect(fixedLinesEnd(mixed, SPACE, EOP_SEPARATORS, false)).toBe(lines[0]!.length + 1)
    // splitTextGroup keeps such a group whole (kind raw), still exact.
    for (const group of [text, cut, filled, mixed]) {
      const parts = splitTextGroup(group, SPACE, 16, EOP_SEPARATORS)
      expect(parts[0]![0]).toBe(TextColumnKind.raw)
      expect(sameBytes(joinTextGroup(parts, SPACE), group)).toBe(true)
    }
  })
})
