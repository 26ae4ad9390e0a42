import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { splitTextGroup, TextColumnKind } from '@astropack/format/layouts'
import { bytesSource, scanCsv, scanFixedWidth } from '@astropack/readers'
import { format, packFolder } from 'astropack' // built: its workers run compiled JavaScript
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sourceDelimiter } from '../src/layouts/csv.js'
import { TextTableKinds, textGroupKinds } from '../src/layouts/text-types.js'
import { scratchFolder } from './round-trip.js'

/**
 * A text table's column types in the manifest come from its chunks (text-types.ts), never from reading the
 * text again: they must be what the CSV reader infers from the text itself, whatever kind each column was
 * stored as. Columns here are written mostly in one style (so a binary kind is chosen, with the other
 * fields as exceptions), padded, quoted or spaced, with nulls, words and edge values between.
 */

const COMMA = 44
const encoder = new TextEncoder()

/** Integers around the readers' range boundaries (int32, 2^53, int64) and ordinary ones. */
const integer = fc.oneof(
  fc.integer({ min: -1000, max: 100000 }),
  fc.constantFrom(2147483647, 2147483648, -2147483648, -2147483649, 2 ** 53, 2 ** 53 + 2, -(2 ** 53)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 10n ** 20n),
)

/** Doubles as JavaScript writes them, integers among them, near 2^53, 2^63 and 1e21. */
const double = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -5000, max: 5000 }).map((n) => n / 8),
  fc.constantFrom(-0, 0, 1e21, 9e20, 2 ** 63, -(2 ** 63), 2 ** 63 - 1024, 2 ** 53 + 2, 1e-7, 123456789012),
)

/** A number's text in one of the styles catalogs write. */
const STYLES: Record<string, fc.Arbitrary<string>> = {
  integer: integer.map(String),
  id: integer.map((n) => `HIP ${n}`),
  signed: integer.map((n) => `+${n}`), // `+-5` among them: no number
  js: double.map(String),
  fixed: fc.tuple(double, fc.integer({ min: 0, max: 4 })).map(([x, d]) => x.toFixed(d)),
  decimal: fc.integer({ min: -99999, max: 99999 }).map((k) => String(k / 1000)),
  python: double.map((x) => (Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x))),
  exponent: fc.double({ min: 1e-9, max: 1e-5, noNaN: true }).map((x) => x.toExponential(3)),
  leadingDot: fc.integer({ min: -999, max: 999 }).map((k) => String(k / 1000).replace(/^(-?)0\./, '$1.')),
  grid: fc.integer({ min: -864000, max: 864000 }).map((k) => String(Math.round((k / 2400) * 1e7) / 1e7)),
}

/** Integers at the edges of int32 and of 2^53: a column takes a few of them (and floats from `odd`). */
const EDGES = [
  '2147483647',
  '2147483648',
  '-2147483648',
  '-2147483649',
  '9007199254740992',
  '9007199254740993',
  '-9007199254740992',
  '-9007199254740993',
  '7',
]

/** Fields that are no number of the style: nulls, NaNs and infinities, booleans, words, damage. */
const odd = fc.constantFrom(
  '',
  'NaN',
  'nan',
  'null',
  'NULL',
  'None',
  'NA',
  'N/A',
  '--',
  'inf',
  '-Infinity',
  'true',
  'F',
  'abc',
  '12x',
  '+5',
  '007',
  '-0',
  '-0.0',
  '1.',
  '.5',
  ' ',
  '"a,b"',
  '"x""y"',
  '"12"',
  'a\rb', // a lone CR ends a line for the reader: the group is kept raw
)

/** The text around a column's fields: none, quotes, a space after the comma, single quotes. */
const around = fc.constantFrom(['', ''], ['"', '"'], [' ', ''], ["'", "'"], ['', ' '])

const column = fc
  .record({
    style: fc.constantFrom(...Object.keys(STYLES), 'edges'),
    edges: fc.subarray(EDGES, { minLength: 1 }),
    around,
    pad: fc.boolean(),
    oddRate: fc.constantFrom(0, 0.01, 0.05, 0.2, 0.6),
  })
  .chain(({ style, edges, around: [before, after], pad, oddRate }) =>
    fc
      .array(
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), STYLES[style] ?? fc.constantFrom(...edges), odd),
        {
          minLength: 1,
          maxLength: 100,
        },
      )
      .map((cells) => {
        const fields = cells.map(([draw, value, other]) =>
          draw < oddRate ? other : `${before}${value}${after}`,
        )
        const width = Math.max(...fields.map((field) => field.length))
        return pad ? fields.map((field) => field.padStart(width)) : fields
      }),
  )

/** The table's lines: as many rows as the shortest column has. */
const table = fc
  .tuple(fc.array(column, { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([columns, crlf]) => {
    const rows = Math.min(...columns.map((fields) => fields.length))
    const lines = Array.from({ length: rows }, (_, r) => columns.map((fields) => fields[r]).join(','))
    return {
      columnCount: columns.length,
      text: lines.map((line) => `${line}${crlf ? '\r\n' : '\n'}`).join(''),
    }
  })

/** The CSV reader's types for text that starts with data (as export reads a package's table), or its error. */
async function readerTypes(bytes: Uint8Array, columnCount: number): Promise<string[] | undefined> {
  const names = Array.from({ length: columnCount }, (_, c) => `c${c}`)
  try {
    const scan = await scanCsv(bytesSource(bytes), { delimiter: ',', names, dataStart: 0 })
    return scan.columns.map((c) => c.type)
  } catch {
    return undefined
  }
}

function packedTypes(groups: Uint8Array[], columnCount: number): string[] | undefined {
  const kinds = new TextTableKinds(columnCount, { delimiter: COMMA, fixedWidth: false })
  for (const group of groups)
    kinds.add(textGroupKinds(splitTextGroup(group, COMMA, columnCount), group, kinds.reading))
  return kinds.types()
}

describe('column types of a text table from its chunks', () => {
  it('are the CSV reader’s types, in one group or two', async () => {
    const storedKinds = new Set<number>()
    await fc.assert(
      fc.asyncProperty(table, async ({ columnCount, text }) => {
        const bytes = encoder.encode(text)
        for (const chunk of splitTextGroup(bytes, COMMA, columnCount)) storedKinds.add(chunk[0]!)
        const expected = await readerTypes(bytes, columnCount)
        fc.pre(expected?.length !== 0) // only blank lines: no table (the reader finds no columns)
        expect(packedTypes([bytes], columnCount)).toEqual(expected)
        // Cut after the first line: the kinds of two groups merge to the same types.
        const cut = bytes.indexOf(10) + 1
        if (cut < bytes.byteLength)
          expect(packedTypes([bytes.subarray(0, cut), bytes.subarray(cut)], columnCount)).toEqual(expected)
      }),
      { numRuns: 600 },
    )
    // The tables reached every kind a group is split into, so each kind's rule was checked.
    for (const kind of [
      'raw',
      'text',
      'float64',
      'decimal',
      'fixed',
      'integer',
      'dictionary',
      'grid',
    ] as const)
      expect(storedKinds, kind).toContain(TextColumnKind[kind])
  })

  it('count a last line without a newline as the CSV reader does, as a row (the fixed-width reader: none)', () => {
    const kinds = new TextTableKinds(2, { delimiter: COMMA, fixedWidth: false })
    const group = encoder.encode('1,2\n3,4\n')
    kinds.add(textGroupKinds(splitTextGroup(group, COMMA, 2), group, kinds.reading))
    expect(kinds.types()).toEqual(['int32', 'int32'])
    kinds.addTail(encoder.encode('5.5,x'))
    expect(kinds.types()).toEqual(['float64', 'string'])
    kinds.addTail(encoder.encode('1,2,3'))
    expect(kinds.types()).toBeUndefined()
    // The fixed-width reader's table ends at the last newline.
    const fixed = new TextTableKinds(2, { delimiter: 32, fixedWidth: true })
    const lines = encoder.encode('1 2\n3 4\n')
    fixed.add(textGroupKinds(splitTextGroup(lines, 32, 2, [1]), lines, fixed.reading))
    fixed.addTail(encoder.encode('x y'))
    expect(fixed.types()).toEqual(['int32', 'int32'])
  })
})

/** Folders of real text tables: catalogs as CSV, astropy's ASCII tables, IERS and CDS fixed-width files. */
const FOLDERS = [
  '../../../fixtures/sample/tables',
  '../../readers/test/fixtures/ascii',
  '../../readers/test/fixtures/fixed-width',
  '../../readers/test/fixtures/same-catalog',
]

describe('column types of packed text tables', () => {
  const work = scratchFolder('astropack-text-types-')

  it.each(FOLDERS)('are what the readers infer from the files themselves (%s)', async (relative) => {
    await expectReaderTypes(fileURLToPath(new URL(relative, import.meta.url)))
  })

  it('are the readers’ for files whose last line has no newline', async () => {
    const folder = join(work, 'unended')
    mkdirSync(folder)
    for (const [from, to] of [
      ['../../../fixtures/sample/tables/jpl-sbdb-asteroids.csv', 'asteroids.csv'],
      ['../../readers/test/fixtures/fixed-width/iers-eopc04-head.txt', 'eop.txt'],
    ]) {
      const text = readFileSync(fileURLToPath(new URL(from!, import.meta.url)))
      writeFileSync(join(folder, to!), text.subarray(0, text.lastIndexOf(10)))
    }
    await expectReaderTypes(folder)
  })

  async function expectReaderTypes(folder: string) {
    const pkg = join(work, `${folder.split('/').at(-1)}.astropack`)
    await packFolder({ sourcePath: folder, outputPath: pkg, threads: 2 })
    const reader = await format.openPackage(format.fromBytes(readFileSync(pkg)))
    const tables = (reader.manifest.tables ?? []).filter(
      (table) => sourceDelimiter(table.source) || table.source === 'fixed-width',
    )
    expect(tables.length).toBeGreaterThan(0)
    for (const table of tables) {
      const source = bytesSource(readFileSync(join(folder, table.entry)))
      const delimiter = sourceDelimiter(table.source)
      const names = table.columns.map((column) => column.name)
      const scan = delimiter
        ? await scanCsv(source, { delimiter, names, dataStart: table.dataOffset ?? 0 })
        : await scanFixedWidth(source)
      expect(
        table.columns.map((column) => column.type),
        table.entry,
      ).toEqual(scan.columns.map((column) => column.type))
    }
  }
})
