import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  columnType,
  csvFieldKinds,
  DEFAULT_NULL_VALUES,
  eachCsvRecord,
  FieldClassifier,
  lineFieldKinds,
} from '../src/csv/kinds.js'
import { bytesSource, scanCsv } from '../src/index.js'

/**
 * `@astropack/readers/csv-kinds` is what packing infers a CSV column's type and a table's rows with, over
 * bytes in memory: it must say what scanCsv says of the same bytes, field for field and record for record.
 */

const classifier = new FieldClassifier(DEFAULT_NULL_VALUES, false)
const COMMA = 44

/** Fields of every sort the classifier tells apart, and the syntax around them. */
const field = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.double().map(String),
  fc.constantFrom(
    '',
    'NaN',
    'nan',
    'null',
    '--',
    'N/A',
    'true',
    'F',
    'inf',
    '-0',
    '1e5',
    ' 12 ',
    '"7"',
    '"a,b"',
  ),
  fc.constantFrom('"x""y"', 'abc', 'é', '"two\nlines"', '12x'),
)

/** Rows of `columns` fields, some lines blank, CR LF or LF, perhaps no newline at the end. */
const table = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean())
  .chain(([columns, crlf, unended]) =>
    fc
      .array(
        fc.oneof(
          { weight: 9, arbitrary: fc.array(field, { minLength: columns, maxLength: columns }) },
          { weight: 1, arbitrary: fc.constant([] as string[]) },
        ),
        {
          minLength: 1,
          maxLength: 40,
        },
      )
      .map((rows) => {
        const end = crlf ? '\r\n' : '\n'
        const text = rows.map((row) => row.join(',')).join(end)
        return { columns, text: unended ? text : text + end }
      }),
  )

async function scanned(text: string, columns: number) {
  const names = Array.from({ length: columns }, (_, c) => `c${c}`)
  try {
    return await scanCsv(bytesSource(new TextEncoder().encode(text)), { delimiter: ',', names, dataStart: 0 })
  } catch {
    return undefined
  }
}

describe('csv-kinds', () => {
  it("gives scanCsv's column types and row count for the same bytes", async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ columns, text }) => {
        const bytes = new TextEncoder().encode(text)
        const scan = await scanned(text, columns)
        fc.pre(scan?.columns.length !== 0) // blank lines only: no table
        const kinds = csvFieldKinds(bytes, COMMA, columns, classifier)
        expect(kinds && Array.from(kinds, columnType)).toEqual(scan?.columns.map((column) => column.type))
        let records = 0
        const read = eachCsvRecord(bytes, COMMA, () => ++records > 0)
        if (scan) expect(read && records).toBe(scan.rowCount)
      }),
      { numRuns: 400 },
    )
  })

  it('refuses what the reader refuses: another field count, a quote left open', () => {
    const kinds = (text: string, columns: number) =>
      csvFieldKinds(new TextEncoder().encode(text), COMMA, columns, classifier)
    expect(kinds('1,2\n3\n', 2)).toBeUndefined()
    expect(kinds('1,2\n3,4,5\n', 2)).toBeUndefined()
    expect(kinds('1,"2\n', 2)).toBeUndefined()
    expect(eachCsvRecord(new TextEncoder().encode('1,"2\n'), COMMA, () => true)).toBe(false)
    expect(Array.from(kinds('1,2.5\n\n3,x\n', 2)!, columnType)).toEqual(['int32', 'string'])
  })

  it('classifies fixed-width fields one to a line, unquoted, a CR before the LF dropped', () => {
    const kinds = (text: string) => columnType(lineFieldKinds(new TextEncoder().encode(text), classifier))
    expect(kinds(' 12\r\n  7\r\n')).toBe('int32')
    expect(kinds('1.5\n   \n')).toBe('float64')
    expect(kinds('"7"\n')).toBe('string') // no quoting in a fixed-width table
  })
})
