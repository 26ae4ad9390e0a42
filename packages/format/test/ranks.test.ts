import { readFileSync } from 'node:fs'
import { zstdCompressSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinRows, splitRows } from '../src/index.js'
import { CONTEXTS, codesOfRanks, RANKED, rankCodes } from '../src/ranks.js'
import { findRowPredictions, type NumberColumn, predictRowColumns } from '../src/rows-predicted.js'

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

const ROW_WIDTH = 21
const COLUMNS = [8, 8, 4, 1].map((width, c) => ({ offset: [0, 8, 16, 20][c]!, width }))
const NUMBERS: NumberColumn[] = COLUMNS.map(({ width }, column) => ({ column, width, bigEndian: true }))
const FLOATS = NUMBERS.slice(0, 3) as { column: number; width: 4 | 8; bigEndian: boolean }[]

describe('ranked code columns of a rows segment', () => {
  it('give back every code, whatever the codes and contexts', () => {
    const input = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: CONTEXTS - 1 })),
      {
        maxLength: 2000,
      },
    )
    fc.assert(
      fc.property(input, (rows) => {
        const codes = Uint8Array.from(rows, ([code]) => code)
        const contexts = Uint16Array.from(rows, ([, context]) => context)
        const ranks = new Uint8Array(rows.length)
        rankCodes(codes, contexts, ranks)
        expect(codesOfRanks(ranks, contexts)).toEqual(codes)
      }),
      { numRuns: 300 },
    )
  })

  it('rank the Tycho-2 sweep by magnitude: half its zstd size, every row back byte for byte', () => {
    const rows = firstTableRows(new Uint8Array(readFileSync(TYCHO))).subarray(0, 20000 * ROW_WIDTH)
    const split = splitRows(rows, ROW_WIDTH, COLUMNS)
    const found = findRowPredictions(split, FLOATS, 20000, NUMBERS)
    expect(found).toEqual([expect.objectContaining({ target: 3, relation: RANKED, a: 2 })])
    const stored = predictRowColumns(split, FLOATS, 20000, NUMBERS)
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
    expect(findRowPredictions(split, [], 5000, NUMBERS)).toEqual([])
  })

  it('refuse damaged ranked chunks with CORRUPT_CHUNK', () => {
    const rows = firstTableRows(new Uint8Array(readFileSync(TYCHO))).subarray(0, 4000 * ROW_WIDTH)
    const split = splitRows(rows, ROW_WIDTH, COLUMNS)
    const stored = predictRowColumns(split, FLOATS, 4000, NUMBERS)
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
