import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type ColumnSlice, joinRows, splitRows } from '../src/index.js'
import { predict, RELATION_BYTES, Relation } from '../src/relations.js'
import { type NumberColumn, predictRowColumns } from '../src/rows-predicted.js'

/** The float of `width` bytes `units` units in the last place from x (by its bits), or x rounded for 4. */
function nudged(x: number, units: number, width: 4 | 8): number {
  const view = new DataView(new ArrayBuffer(8))
  if (width === 4) {
    view.setFloat32(0, x)
    view.setInt32(0, view.getInt32(0) + units)
    return view.getFloat32(0)
  }
  view.setFloat64(0, x)
  view.setBigInt64(0, view.getBigInt64(0) + BigInt(units))
  return view.getFloat64(0)
}

interface Table {
  rows: Uint8Array
  rowWidth: number
  columns: ColumnSlice[]
  numbers: NumberColumn[]
  count: number
}

/**
 * Rows of: a 2-byte integer, float sources a and b, then y = c × f(a, b) give or take `noise` units,
 * with NaN, infinities and -0 among the values; widths and byte order as given.
 */
function table(
  relation: number,
  c: number,
  widths: [4 | 8, 4 | 8, 4 | 8],
  bigEndian: boolean,
  values: [number, number, number][],
): Table {
  const [wa, wb, wy] = widths
  const rowWidth = 2 + wa + wb + wy
  const rows = new Uint8Array(values.length * rowWidth)
  const view = new DataView(rows.buffer)
  const put = (at: number, width: number, x: number) =>
    width === 4 ? view.setFloat32(at, x, !bigEndian) : view.setFloat64(at, x, !bigEndian)
  const scaled = relation >= Relation.timesRoot
  values.forEach(([a, b, noise], i) => {
    const at = i * rowWidth
    view.setUint16(at, i * 7919, !bigEndian)
    const [fa, fb] = [wa === 4 ? Math.fround(a) : a, wb === 4 ? Math.fround(b) : b]
    put(at + 2, wa, fa)
    put(at + 2 + wa, wb, fb)
    // The writer fits c for the one-source relations (7 to 9) only.
    const y = predict(relation, fa, scaled ? fa : fb, scaled ? c : 1)
    put(at + 2 + wa + wb, wy, Number.isFinite(y) ? nudged(y, Math.round(noise), wy) : y)
  })
  const offsets = [0, 2, 2 + wa, 2 + wa + wb]
  const columns = [2, wa, wb, wy].map((width, c) => ({ offset: offsets[c]!, width }))
  const numbers = [1, 2, 3].map((column) => ({
    column,
    width: columns[column]!.width,
    bigEndian,
    float: true,
  }))
  return { rows, rowWidth, columns, numbers, count: values.length }
}

const value = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: 1e-3, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 0, 5e-324) },
)

describe('predicted columns of a rows segment', () => {
  it('rebuild every row byte for byte, whichever columns the search predicts', () => {
    const input = fc.record({
      relation: fc.integer({ min: 1, max: 9 }),
      c: fc.double({ min: 0.5, max: 2, noNaN: true }),
      widths: fc.tuple(fc.constantFrom(4, 8), fc.constantFrom(4, 8), fc.constantFrom(4, 8)),
      bigEndian: fc.boolean(),
      values: fc.array(fc.tuple(value, value, fc.integer({ min: -40, max: 40 })), {
        minLength: 2,
        maxLength: 300,
      }),
    })
    let predicted = 0
    fc.assert(
      fc.property(input, ({ relation, c, widths, bigEndian, values }) => {
        const t = table(relation, c, widths as [4 | 8, 4 | 8, 4 | 8], bigEndian, values)
        const split = splitRows(t.rows, t.rowWidth, t.columns)
        const stored = predictRowColumns(split, t.numbers, t.count)
        stored.forEach((chunk, i) => {
          if (chunk === split[i]) return
          predicted++
          expect(chunk.byteLength).toBe(RELATION_BYTES + t.count * t.columns[i]!.width)
        })
        const rebuilt = joinRows(stored, t.rowWidth, t.columns, t.count)
        expect(Buffer.from(rebuilt).equals(Buffer.from(t.rows))).toBe(true)
      }),
      { numRuns: 400 },
    )
    // Most generated tables follow their relation closely enough to be predicted.
    expect(predicted).toBeGreaterThan(200)
  })

  it('keep NaN payloads and stores a column that follows a relation as its residuals', () => {
    const values = Array.from(
      { length: 500 },
      (_, i) => [10 + i * 0.37, 1 + (i % 13) * 0.1, 0] as [number, number, number],
    )
    const t = table(Relation.product, 1, [8, 4, 4], true, values)
    // A signalling NaN with a payload in the predicted float32 column, at row 3.
    new DataView(t.rows.buffer).setUint32(3 * t.rowWidth + 14, 0x7fa00001)
    const split = splitRows(t.rows, t.rowWidth, t.columns)
    const stored = predictRowColumns(split, t.numbers, t.count)
    expect(stored[3]!.byteLength).toBe(RELATION_BYTES + 500 * 4)
    expect([stored[3]![0], stored[3]![1]]).toEqual([Relation.product, 1])
    expect(Buffer.from(joinRows(stored, t.rowWidth, t.columns, t.count)).equals(Buffer.from(t.rows))).toBe(
      true,
    )
    // Exact products: every residual but the NaN's is 0.
    const residuals = new DataView(stored[3]!.buffer, stored[3]!.byteOffset + RELATION_BYTES)
    const nonZero = Array.from({ length: 500 }, (_, i) => residuals.getUint32(i * 4)).filter((z) => z !== 0)
    expect(nonZero).toHaveLength(1)
  })

  it('leave unrelated columns as they are', () => {
    let seed = 1
    const random = () => {
      seed = (seed * 48271) % 2147483647
      return seed / 2147483647
    }
    const t = table(
      Relation.sum,
      1,
      [8, 8, 8],
      false,
      Array.from({ length: 300 }, () => [random() * 100, random(), 0]),
    )
    // Replace y by values of its own.
    const view = new DataView(t.rows.buffer)
    for (let i = 0; i < t.count; i++) view.setFloat64(i * t.rowWidth + 18, random() * 1e5, true)
    const split = splitRows(t.rows, t.rowWidth, t.columns)
    expect(predictRowColumns(split, t.numbers, t.count)).toBe(split)
  })

  it('refuse damaged predicted chunks with CORRUPT_CHUNK', () => {
    const values = Array.from({ length: 100 }, (_, i) => [i + 1, 2 + i / 7, 0] as [number, number, number])
    const t = table(Relation.difference, 1, [8, 8, 8], false, values)
    const split = splitRows(t.rows, t.rowWidth, t.columns)
    const stored = predictRowColumns(split, t.numbers, t.count)
    // One of the three follows from the other two (which one depends on the search's order).
    const target = stored.findIndex((part) => part.byteLength === RELATION_BYTES + 800)
    expect(target).toBeGreaterThan(0)
    expect(stored.filter((part, i) => part !== split[i])).toHaveLength(1)
    const damaged = (change: (record: DataView) => void) => {
      const copy = stored.map((part) => part.slice())
      change(new DataView(copy[target]!.buffer))
      return () => joinRows(copy, t.rowWidth, t.columns, t.count)
    }
    for (const change of [
      (r: DataView) => r.setUint8(0, 0), // relation 0
      (r: DataView) => r.setUint8(0, 10), // relation 10
      (r: DataView) => r.setUint8(1, 2), // byte order 2
      (r: DataView) => r.setUint16(6, 1, true), // reserved
      (r: DataView) => r.setUint16(2, 9, true), // a source past the columns
      (r: DataView) => r.setUint16(2, target, true), // itself: a prediction
      (r: DataView) => r.setUint16(4, 0, true), // the 2-byte integer column
    ])
      expect(damaged(change)).toThrow(expect.objectContaining({ code: 'CORRUPT_CHUNK' }))
  })
})
