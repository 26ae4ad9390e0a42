import { splitTextGroup, TextColumnKind } from '@astropack/format/layouts'
import { describe, expect, it } from 'vitest'
import { type Metrics, measureColumn } from '../src/layouts/metrics.js'
import { measureTextColumn, measureTextRecords } from '../src/layouts/text-metrics.js'

/**
 * Metrics are measured 4096 numbers at a time (metrics.ts): columns of several blocks, with nulls, NaNs,
 * infinities and text fields between them, must give what a plain loop over the values gives.
 */

/** A small seeded generator (LCG), so a failure names the same values every run. */
function generator(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

/** What a plain loop gives: `undefined` is a null; NaN and ±Infinity count as NaNs. */
function plain(values: (number | undefined)[], range?: 'ra' | 'dec') {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v))
  const mean = finite.reduce((sum, v) => sum + v, 0) / finite.length
  const outside = range === 'ra' ? (v: number) => v < 0 || v >= 360 : (v: number) => v < -90 || v > 90
  return {
    count: values.length,
    nulls: values.filter((v) => v === undefined).length,
    nans: values.filter((v) => v !== undefined && !Number.isFinite(v)).length,
    values: finite.length,
    min: Math.min(...finite),
    max: Math.max(...finite),
    mean,
    variance: finite.reduce((sum, v) => sum + (v - mean) ** 2, 0) / finite.length,
    outOfRange: range ? finite.filter(outside).length : 0,
  }
}

function expectPlain(got: Metrics, want: ReturnType<typeof plain>): void {
  const { count, nulls, nans, values, min, max, outOfRange } = got
  expect({ count, nulls, nans, values, min, max, outOfRange }).toEqual({
    count: want.count,
    nulls: want.nulls,
    nans: want.nans,
    values: want.values,
    min: want.min,
    max: want.max,
    outOfRange: want.outOfRange,
  })
  // To 9 digits, relative for large values (IDs near 10^18 sum in another order).
  expect(Math.abs(got.shift + got.offset - want.mean)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want.mean)))
  expect(got.m2 / got.values / want.variance).toBeCloseTo(1, 9)
}

describe('metrics measured a block at a time', () => {
  it('agree with a plain loop on big-endian integers with TNULL, TZERO and TSCAL over three blocks', () => {
    const random = generator(20261127)
    const n = 10_000
    const bytes = new Uint8Array(n * 2)
    const view = new DataView(bytes.buffer)
    const expected: (number | undefined)[] = []
    for (let i = 0; i < n; i++) {
      const stored = i % 7 === 3 ? -32768 : Math.floor(random() * 60000) - 30000
      view.setInt16(i * 2, stored)
      expected.push(stored === -32768 ? undefined : 100 + 0.5 * stored)
    }
    const spec = { element: 'i2', littleEndian: false, scale: 0.5, zero: 100, null: -32768 } as const
    expectPlain(measureColumn(bytes, spec), plain(expected))
  })

  it('agree on little-endian doubles with NaN, infinities and positions out of range', () => {
    const random = generator(7)
    const n = 9_000
    const valueAt = (i: number) => {
      if (i % 1000 === 999) return Number.NaN
      if (i % 1500 === 4) return -Infinity
      if (i === 4095) return Infinity // the last of the first block
      return random() * 380 - 10
    }
    const values = Array.from({ length: n }, (_, i) => valueAt(i))
    const bytes = new Uint8Array(new Float64Array(values).buffer)
    const spec = { element: 'f8', littleEndian: true, scale: 1, zero: 0, range: 'ra' } as const
    const want = plain(values, 'ra')
    expect(want.outOfRange).toBeGreaterThan(0)
    expectPlain(measureColumn(bytes, spec), want)
  })

  it('agree on 64-bit integers of either sign and byte order, past 2^53, with Number() of each', () => {
    const random = generator(64)
    const n = 5_000
    for (const element of ['i8', 'u8'] as const) {
      for (const littleEndian of [true, false]) {
        const bytes = new Uint8Array(n * 8)
        const view = new DataView(bytes.buffer)
        const expected: (number | undefined)[] = []
        for (let i = 0; i < n; i++) {
          // IDs of 19 digits and small counts; the signed column's TNULL -1 (2^64 - 1 unsigned).
          const big =
            i % 3 === 0 ? BigInt(Math.floor(random() * 1000)) : 4100000004440079230n + BigInt(i) * 7919n
          const stored = element === 'i8' && i % 5 === 0 ? -big : i % 97 === 0 ? -1n : big
          if (element === 'i8') view.setBigInt64(i * 8, stored, littleEndian)
          else view.setBigUint64(i * 8, BigInt.asUintN(64, stored), littleEndian)
          const number = Number(element === 'i8' ? stored : BigInt.asUintN(64, stored))
          expected.push(element === 'i8' && stored === -1n ? undefined : number)
        }
        const spec = { element, littleEndian, scale: 1, zero: 0, ...(element === 'i8' ? { null: -1 } : {}) }
        expectPlain(measureColumn(bytes, spec), plain(expected))
      }
    }
  })

  it('agree on a CSV column whose text fields (nulls, NaN, words) fall between and across blocks', () => {
    const random = generator(42)
    const lines: string[] = []
    const expected: (number | undefined)[] = []
    for (let i = 0; i < 9_000; i++) {
      if (i === 4095 || i === 4096 || i % 811 === 5) {
        lines.push('null')
        expected.push(undefined)
      } else if (i % 977 === 0) {
        lines.push('NaN')
        expected.push(Number.NaN)
      } else if (i % 1301 === 7) {
        lines.push('n/a?') // a word: neither a number nor a null
      } else {
        const value = random() * 200 - 100
        lines.push(String(value))
        expected.push(value)
      }
    }
    const group = new TextEncoder().encode(`${lines.join('\n')}\n`)
    const [chunk] = splitTextGroup(group, 44, 1)
    const got = measureTextColumn(chunk!, 'dec')!
    const want = plain(expected, 'dec')
    expect(want.outOfRange).toBeGreaterThan(0)
    // The words are counted rows but neither values, nulls nor NaNs.
    expectPlain(got, { ...want, count: lines.length })
  })
})

describe('text fields of a CSV column', () => {
  // Nulls, NaNs, numbers written another way, and words, as kept by the column kinds that hold text.
  const fields = ['', 'null', 'N/A', '--', 'NA', 'None', 'NaN', 'nan', 'Inf', 'Infinity', '-Infinity', 'A0']
  fields.push('"7"', '0x10', '\t5', 'K2', 'n', 'Nope', '1e400', '.5', 'None of', '+3')

  /** The fields' metrics as a reader who decodes every field would count them. */
  function expected(column: string[]) {
    const values = column.flatMap((field) => {
      const text = (field.startsWith('"') ? field.slice(1, -1) : field).trim()
      if (['', 'null', 'NULL', 'None', 'NA', 'N/A', '--'].includes(text)) return [undefined]
      if (['NaN', 'nan', 'NAN'].includes(text)) return [Number.NaN]
      const value = Number(text)
      return Number.isNaN(value) ? [] : [value]
    })
    return { ...plain(values), count: column.length }
  }

  it.each([
    ['a dictionary (each entry read once)', 'dictionary'],
    ['fields joined by newlines', 'text'],
  ])('count as a reader decoding each one would, in %s', (_, kind) => {
    const random = generator(7)
    const column = Array.from({ length: 3_000 }, (_, row) =>
      kind === 'text' && row % 3 === 0 ? `word ${row}` : fields[Math.floor(random() * fields.length)]!,
    )
    const group = new TextEncoder().encode(`${column.map((field, row) => `${row},${field}`).join('\n')}\n`)
    const chunk = splitTextGroup(group, 44, 2)[1]!
    expect(chunk[0]).toBe(kind === 'dictionary' ? TextColumnKind.dictionary : TextColumnKind.text)
    const want = expected(column)
    expect(want.nulls).toBeGreaterThan(0)
    expect(want.nans).toBeGreaterThan(0)
    expect(want.values).toBeGreaterThan(0)
    expectPlain(measureTextColumn(chunk)!, want)
  })
})

describe('a CSV group kept whole (raw)', () => {
  it('is measured from its records as the same rows split into columns are', () => {
    const random = generator(11)
    const rows = Array.from({ length: 5_000 }, (_, row) => {
      const x = row % 97 === 0 ? 'NaN' : row % 89 === 0 ? '' : String(random() * 400 - 20)
      return [x, `"star ${row}"`, String(row * 3)]
    })
    const text = (lines: string[][]) =>
      new TextEncoder().encode(`${lines.map((l) => l.join(',')).join('\n')}\n`)
    const plainGroup = text(rows)
    // One name holding a line end and a blank line: the group is kept whole, its rows the same.
    const rawRows = rows.map((row, r) => (r === 2500 ? [row[0]!, '"star\n2500"', row[2]!] : row))
    const rawGroup = new TextEncoder().encode(new TextDecoder().decode(text(rawRows)).replace('\n', '\n\n'))
    expect(splitTextGroup(rawGroup, 44, 3)[0]![0]).toBe(TextColumnKind.raw)
    const split = splitTextGroup(plainGroup, 44, 3)
    expect(split[0]![0]).not.toBe(TextColumnKind.raw)
    const ranges = ['ra', undefined, undefined] as const
    const { records, metrics } = measureTextRecords(rawGroup, 44, ranges)!
    expect(records).toBe(5000)
    expect(metrics!.map((m) => m.count)).toEqual([5000, 5000, 5000])
    expect(metrics).toEqual(split.map((chunk, c) => measureTextColumn(chunk, ranges[c])))
    expect(metrics![0]!.outOfRange).toBeGreaterThan(0)
    // A ragged record: its records counted, not measured; an open quote: refused.
    expect(measureTextRecords(new TextEncoder().encode('1,2,3\n4,5\n'), 44, ranges)).toEqual({ records: 2 })
    expect(measureTextRecords(new TextEncoder().encode('1,"2\n'), 44, ranges)).toBeUndefined()
  })
})
