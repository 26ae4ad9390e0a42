import { isAstropackError } from '@astropack/codecs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Cell, csvText, readColumns, sameCell } from './helpers/csv.js'

type Kind = 'int32' | 'int64' | 'float' | 'bool' | 'string'

/** Floats as Python's repr writes them (3.0, -0.0, nan, inf, 1e+16), so a float column reads as float64. */
function floatText(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  if (!Number.isInteger(value)) return String(value)
  if (Math.abs(value) >= 1e16) return value.toExponential()
  return `${Object.is(value, -0) ? '-0' : value}.0`
}

const specialChars = fc.constantFrom(',', '"', '\n', '\r', '\r\n', '\t', ' ', '#', "'", '""', 'é', '😀', 'ℵ')
const anyChar = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 1 })
  .filter((char) => !char.includes('\0'))
// A letter first, so no string reads as a number, a boolean or a null.
const textValue = fc
  .string({ unit: fc.oneof(specialChars, anyChar), maxLength: 12 })
  .map((text) => `s${text}`)
const floatValue = fc.oneof(
  fc.double(),
  fc.constantFrom(
    -0,
    1e-300,
    5e-324,
    Number.MAX_VALUE,
    2 ** 53,
    2 ** 60,
    0.1,
    225.86558534045722,
    Number.NaN,
  ),
)
const values: Record<Kind, fc.Arbitrary<Cell>> = {
  int32: fc.integer().map((n) => n),
  int64: fc.oneof(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.bigInt({ min: -1000n, max: 1000n }),
  ),
  float: floatValue.map((x) => floatText(x)), // written as text, checked against Number below
  bool: fc.boolean(),
  string: textValue,
}

const table = fc
  .array(fc.constantFrom<Kind>('int32', 'int64', 'float', 'bool', 'string'), { minLength: 1, maxLength: 6 })
  .chain((kinds) =>
    fc.record({
      kinds: fc.constant(kinds),
      rows: fc.array(fc.tuple(...kinds.map((kind) => fc.option(values[kind], { freq: 8 }))), {
        maxLength: 40,
      }),
      delimiter: fc.constantFrom(',', '\t'),
      lineEnd: fc.constantFrom('\n', '\r\n'),
      finalNewline: fc.boolean(),
      quoteAll: fc.boolean(),
    }),
  )

/** What a column should read as: its Arrow type, and each value. */
function expectedColumn(kind: Kind, cells: Cell[]): { type: string; values: Cell[] } {
  const present = cells.filter((cell) => cell !== null)
  if (present.length === 0) return { type: 'Utf8', values: cells }
  if (kind === 'float') {
    return {
      type: 'Float64',
      values: cells.map((cell) => (cell === null ? null : Number(String(cell).replace(/inf$/, 'Infinity')))),
    }
  }
  if (kind === 'int32' || kind === 'int64') {
    const wide = present.some(
      (cell) => BigInt(cell as number | bigint) !== BigInt.asIntN(32, BigInt(cell as number | bigint)),
    )
    return { type: wide ? 'Int64' : 'Int32', values: cells }
  }
  return { type: kind === 'bool' ? 'Bool' : 'Utf8', values: cells }
}

describe('csv property: random tables read back as written', () => {
  it('same types and values for any delimiter, line end and quoting', async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ kinds, rows, ...format }) => {
        const names = kinds.map((kind, i) => `${kind} ${i}`)
        const text = csvText(names, rows, format)
        const read = await readColumns(text, { delimiter: format.delimiter as ',' | '\t' })
        expect(read.names).toEqual(names)
        kinds.forEach((kind, c) => {
          const expected = expectedColumn(
            kind,
            rows.map((row) => row[c]!),
          )
          expect(read.types[c]).toBe(expected.type)
          read.columns[c]!.forEach((cell, row) => {
            if (!sameCell(cell, expected.values[row]!))
              expect([c, row, cell]).toEqual([c, row, expected.values[row]])
          })
        })
      }),
      { numRuns: 400 },
    )
  })

  it('tiny slices, small batches and sampled types give what one big read gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 5 }),
        async ({ kinds, rows, ...format }, sliceBytes, batchRows, inferRows) => {
          const text = csvText(
            kinds.map((_, i) => `c${i}`),
            rows,
            format,
          )
          // A one-column file shows no delimiter to detect.
          const delimiter = format.delimiter as ',' | '\t'
          const whole = await readColumns(text, { delimiter })
          expect(await readColumns(text, { delimiter, sliceBytes, batchRows })).toEqual(whole)
          expect(await readColumns(text, { delimiter, sliceBytes, inferRows })).toEqual(whole)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('many rows across buffer growth and batch boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer(), floatValue, textValue), { minLength: 1000, maxLength: 3000 }),
        async (rows) => {
          const cells: Cell[][] = rows.map(([n, x, s]) => [n, floatText(x), s])
          const read = await readColumns(csvText(['n', 'x', 's'], cells), {
            batchRows: 777,
            sliceBytes: 5000,
          })
          expect(read.columns[0]).toEqual(rows.map(([n]) => n))
          read.columns[1]!.forEach((x, i) => {
            expect(Object.is(x, rows[i]![1])).toBe(true)
          })
          expect(read.columns[2]).toEqual(rows.map(([, , s]) => s))
        },
      ),
      { numRuns: 15 },
    )
  })
})

/** The outcome of reading: the values, or the error's code and offset. */
async function outcome(text: string, sliceBytes?: number): Promise<unknown> {
  try {
    return await readColumns(text, { sliceBytes })
  } catch (error) {
    if (!isAstropackError(error)) throw error
    return { code: error.code, offset: error.offset }
  }
}

describe('csv property: malformed text', () => {
  const csvish = fc.string({
    unit: fc.constantFrom('a', '1', '.', '"', ',', '\t', '\n', '\r', ' ', '#', '-'),
    maxLength: 60,
  })

  it('reads the same, or fails the same way at the same byte, in any slice size', async () => {
    await fc.assert(
      fc.asyncProperty(csvish, fc.integer({ min: 1, max: 16 }), async (text, sliceBytes) => {
        expect(await outcome(text, sliceBytes)).toEqual(await outcome(text))
      }),
      { numRuns: 1000 },
    )
  })
})
