import { readFileSync } from 'node:fs'
import { zstdCompressSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinRows, joinTextGroup, splitRows, splitTextGroup } from '../src/index.js'
import { codesOfRanks, RANKED, rankCodes } from '../src/ranks.js'
import { findRowPredictions, type NumberColumn, predictRowColumns } from '../src/rows-predicted.js'
import { FEATURE_RANKED_COLUMNS } from '../src/spec.js'
import { TextColumnKind, textChunkFeatures } from '../src/text-table/chunk.js'
import { rankTextColumns } from '../src/text-table/ranked.js'

// The first 20,000 rows of the corpus's Tycho-2 table (ra D, dec D, phot_vt_mag E, sweep B; origin in
// its README): astrometry.net's sweep follows the star's magnitude.
const TYCHO = new URL('../../readers/test/fixtures/same-catalog/tycho2-07-first20000.fits', import.meta.url)

/** The rows of a FITS file's first extension (headers end with an END card; blocks of 2880 bytes). */
function firstTableRows(file: Uint8Array): Uint8Array {
  const text = Buffer.from(file).toString('latin1')
  let ends = 0
  for (let at = 0; at < file.length; at += 80) {
    if (!text.startsWith('END ', at) && text.slice(at, at + 80) !== 'END'.padEnd(80)) continue
    if (++ends === 2) return file.subarray(Math.ceil((at + 80) / 2880) * 2880)
  }
  throw new Error('no extension')
}

// The same rows as the CSV the corpus has (its origin in the same README).
const TYCHO_CSV = new URL(
  '../../readers/test/fixtures/same-catalog/tycho2-07-first20000.csv',
  import.meta.url,
)

const ROW_WIDTH = 21
const COLUMNS = [8, 8, 4, 1].map((width, c) => ({ offset: [0, 8, 16, 20][c]!, width }))
// ra and dec float64, the magnitude float32, the sweep a byte.
const NUMBERS: NumberColumn[] = COLUMNS.map(({ width }, column) => ({
  column,
  width,
  bigEndian: true,
  float: column < 3,
}))

describe('ranked code columns of a rows segment', () => {
  it('give back every code, whatever the codes and contexts', () => {
    // Contexts from a source of 2-byte values at any shift (at 0: the values modulo 1024).
    const input = fc.record({
      rows: fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 65535 })), {
        maxLength: 2000,
      }),
      shift: fc.integer({ min: 0, max: 15 }),
      bigEndian: fc.boolean(),
    })
    fc.assert(
      fc.property(input, ({ rows, shift, bigEndian }) => {
        const codes = Uint8Array.from(rows, ([code]) => code)
        const bytes = new Uint8Array(rows.length * 2)
        const view = new DataView(bytes.buffer)
        for (const [i, [, v]] of rows.entries()) view.setUint16(i * 2, v, !bigEndian)
        const source = { bytes, width: 2, bigEndian }
        const ranks = new Uint8Array(rows.length)
        rankCodes(codes, source, shift, ranks)
        expect(codesOfRanks(ranks, source, shift)).toEqual(codes)
      }),
      { numRuns: 300 },
    )
  })

  it('rank the Tycho-2 sweep by magnitude: half its zstd size, every row back byte for byte', () => {
    const rows = firstTableRows(new Uint8Array(readFileSync(TYCHO))).subarray(0, 20000 * ROW_WIDTH)
    const split = splitRows(rows, ROW_WIDTH, COLUMNS)
    const found = findRowPredictions(split, NUMBERS, 20000)
    expect(found).toEqual([expect.objectContaining({ target: 3, relation: RANKED, a: 2 })])
    const stored = predictRowColumns(split, NUMBERS, 20000)
    for (const c of [0, 1, 2]) expect(stored[c]).toBe(split[c])
    expect(stored[3]!.byteLength).toBe(16 + 20000)
    const zstd = (bytes: Uint8Array) => zstdCompressSync(bytes).byteLength
    expect(zstd(stored[3]!)).toBeLessThan(0.6 * zstd(split[3]!))
    expect(Buffer.from(joinRows(stored, ROW_WIDTH, COLUMNS, 20000)).equals(Buffer.from(rows))).toBe(true)
  })

  it('leave a code column that no other column tells anything about', () => {
    let seed = 7
    const rows = new Uint8Array(5000 * ROW_WIDTH)
    for (let i = 0; i < rows.length; i++) {
      seed = (seed * 48271) % 2147483647
      rows[i] = seed & 255
    }
    const split = splitRows(rows, ROW_WIDTH, COLUMNS)
    expect(findRowPredictions(split, NUMBERS, 5000)).toEqual([])
  })

  it('refuse damaged ranked chunks with CORRUPT_CHUNK', () => {
    const rows = firstTableRows(new Uint8Array(readFileSync(TYCHO))).subarray(0, 4000 * ROW_WIDTH)
    const split = splitRows(rows, ROW_WIDTH, COLUMNS)
    const stored = predictRowColumns(split, NUMBERS, 4000)
    expect(stored[3]![0]).toBe(RANKED)
    const damaged = (change: (record: DataView, copy: Uint8Array[]) => void) => {
      const copy = stored.map((part) => part.slice())
      change(new DataView(copy[3]!.buffer), copy)
      return () => joinRows(copy, ROW_WIDTH, COLUMNS, 4000)
    }
    for (const change of [
      (r: DataView) => r.setUint8(1, 2), // byte order 2
      (r: DataView) => r.setUint16(4, 64, true), // a shift past 63
      (r: DataView) => r.setUint16(6, 1, true), // reserved
      (r: DataView) => r.setUint8(15, 1), // reserved
      (r: DataView) => r.setUint16(2, 9, true), // a source past the columns
      (r: DataView) => r.setUint16(2, 3, true), // itself: ranks, not values
      (_: DataView, copy: Uint8Array[]) => {
        copy[2] = stored[3]!.slice() // a ranked chunk where a 4-byte column's values should be
      },
    ])
      expect(damaged(change)).toThrow(expect.objectContaining({ code: 'CORRUPT_CHUNK' }))
  })
})

describe('ranked columns of a text table (kind 9)', () => {
  // The data lines of the CSV: ra, dec, phot_vt_mag (a decimal of 3 places), sweep (0 to 255).
  const csv = new Uint8Array(readFileSync(TYCHO_CSV))
  const lines = csv.subarray(csv.indexOf(10) + 1)

  it("rank the CSV's sweep by magnitude: half its zstd size, every line back byte for byte", () => {
    const parts = splitTextGroup(lines, 44, 4)
    const { float64, decimal, fixed, ranked: rankedKind } = TextColumnKind
    expect(parts.map((part) => part[0])).toEqual([float64, float64, decimal, fixed])
    const ranked = rankTextColumns(parts)
    for (const c of [0, 1, 2]) expect(ranked[c]).toBe(parts[c])
    expect(ranked[3]![0]).toBe(rankedKind)
    // Relation 10, standing for a fixed chunk, ranked by column 2 (the magnitude).
    expect([...ranked[3]!.subarray(8, 12)]).toEqual([10, fixed, 2, 0])
    expect(textChunkFeatures(ranked[3]!) & FEATURE_RANKED_COLUMNS).toBe(FEATURE_RANKED_COLUMNS)
    const zstd = (bytes: Uint8Array) => zstdCompressSync(bytes).byteLength
    expect(zstd(ranked[3]!)).toBeLessThan(0.6 * zstd(parts[3]!))
    expect(Buffer.from(joinTextGroup(ranked, 44)).equals(Buffer.from(lines))).toBe(true)
  })

  it('refuse damaged ranked chunks with CORRUPT_CHUNK', () => {
    const ranked = rankTextColumns(splitTextGroup(lines.subarray(0, lines.indexOf(10, 200000) + 1), 44, 4))
    expect(ranked[3]![0]).toBe(TextColumnKind.ranked)
    const damaged = (change: (chunk: Uint8Array, copy: Uint8Array[]) => void) => {
      const copy = ranked.map((part) => part.slice())
      change(copy[3]!, copy)
      return () => joinTextGroup(copy, 44)
    }
    for (const change of [
      (c: Uint8Array) => {
        c[9] = TextColumnKind.float64 // stands for a kind that has no integer values
      },
      (c: Uint8Array) => {
        c[12] = 64 // a shift past 63
      },
      (c: Uint8Array) => {
        c[23] = 1 // reserved
      },
      (c: Uint8Array) => {
        c[10] = 9 // a source past the columns
      },
      (c: Uint8Array) => {
        c[10] = 3 // itself: ranks, not values
      },
      (_: Uint8Array, copy: Uint8Array[]) => {
        copy[3] = copy[3]!.subarray(0, 100) // too short for its ranks
      },
    ])
      expect(damaged(change)).toThrow(expect.objectContaining({ code: 'CORRUPT_CHUNK' }))
  })
})
