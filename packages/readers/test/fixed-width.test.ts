import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { type RecordBatch, Table } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import {
  type ByteSource,
  bytesSource,
  type FixedWidthArrowOptions,
  fixedWidthArrowSchema,
  readFixedWidthBatches,
  scanFixedWidth,
} from '../src/index.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/fixed-width/${name}`, import.meta.url))
const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'))

/** IERS EOP 14 C04: 14 header lines, then 800 days of 16 numbers (year, month, day, MJD, x, y, ...). */
const eop = fixture('iers-eopc04-head.txt').toString('latin1')
const eopLines = eop.split('\n')
const eopHeader = eopLines.slice(0, 14)
const eopRows = eopLines.slice(14, -1)
/** The rows as whitespace-separated numbers: no field of the series has a space inside. */
const eopValues = (rows: readonly string[]) => rows.map((line) => line.trim().split(/ +/).map(Number))
const eopColumns: string[] = JSON.parse(fixture('expected.json').toString())['iers-eopc04-head.txt'].names

/** KStars' star list: `#` comments, then stars; the brightest have `, name` after the fixed columns. */
const stars = fixture('kstars-stars-head.dat').toString('latin1')
const starRows = stars.split('\n').filter((line) => line !== '' && !line.startsWith('#'))

async function readAll(bytes: Uint8Array | ByteSource, options: FixedWidthArrowOptions = {}): Promise<Table> {
  const source = bytes instanceof Uint8Array ? bytesSource(bytes) : bytes
  const batches: RecordBatch[] = []
  for await (const batch of readFixedWidthBatches(source, options)) batches.push(batch)
  const scan = options.scan ?? (await scanFixedWidth(source, options))
  return new Table(fixedWidthArrowSchema(scan), batches)
}

/** Each column's values, nulls as null and int64 as bigint. */
const columnsOf = (table: Table) => table.schema.fields.map((_, c) => [...table.getChildAt(c)!] as unknown[])

/** Rows turned into columns. */
const transpose = <T>(rows: T[][]) => rows[0]!.map((_, c) => rows.map((row) => row[c]))

/** The error a promise rejects with, to match its code and message. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

describe('fixed-width tables: the IERS EOP C04 series', () => {
  const bytes = latin1(eop)

  it('finds the table below the header, 800 rows of four int32 and twelve float64 columns', async () => {
    const scan = await scanFixedWidth(bytesSource(bytes))
    expect(scan).toMatchObject({
      dataStart: eopHeader.join('\n').length + 1,
      dataEnd: bytes.length,
      crlf: false,
    })
    expect(scan.rowCount).toBe(800)
    expect(scan.columns).toEqual(eopColumns.map((name, c) => ({ name, type: c < 4 ? 'int32' : 'float64' })))
    const schema = fixedWidthArrowSchema(scan)
    expect(schema.fields.map(String)).toEqual(
      eopColumns.map((name, c) => `${name}: ${c < 4 ? 'Int32' : 'Float64'}`),
    )
    expect(schema.fields.map((field) => field.metadata.get('fixed-width.bytes'))).toEqual(
      scan.fields.map(({ start, end }, c) => (c === 15 ? `${start + 1}-` : `${start + 1}-${end}`)),
    )
  })

  it('reads every value of every column as the lines hold it', async () => {
    const table = await readAll(bytes)
    expect(table.numRows).toBe(800)
    const row0 = table.get(0)!.toArray()
    expect(row0).toEqual([
      1962, 1, 1, 37665, -0.0127, 0.213, 0.0326338, 0.001723, 0, 0, 0.03, 0.03, 0.002, 0.0014, 0.004774,
      0.002,
    ])
    expect(columnsOf(table)).toEqual(transpose(eopValues(eopRows)))
    expect(table.getChild('MJD')!.get(799)).toBe(38464) // MJD of 1964-03-10, the last day kept
  })

  it('gives the same batches whatever the slice and batch sizes, reading the file a slice at a time', async () => {
    const expected = columnsOf(await readAll(bytes))
    const asked: number[] = []
    const source: ByteSource = {
      byteLength: bytes.length,
      slice: async (start, end) => {
        asked.push(end - start)
        return bytes.subarray(start, end)
      },
    }
    const scan = await scanFixedWidth(source, { sliceBytes: 1000 })
    const batches: RecordBatch[] = []
    for await (const batch of readFixedWidthBatches(source, { scan, sliceBytes: 1000, batchRows: 77 })) {
      batches.push(batch)
    }
    expect(batches.map((batch) => batch.numRows)).toEqual([...Array(10).fill(77), 30])
    expect(columnsOf(new Table(batches))).toEqual(expected)
    // The first MiB (here the whole file) to find the table; then slices of 1000 bytes only.
    expect(asked[0]).toBe(bytes.length)
    expect(Math.max(...asked.slice(1))).toBe(1000)
  })

  it('reads CR LF line ends the same', async () => {
    const crlf = latin1(eop.replaceAll('\n', '\r\n'))
    const scan = await scanFixedWidth(bytesSource(crlf))
    expect(scan).toMatchObject({ crlf: true, rowCount: 800, dataEnd: crlf.length })
    expect(columnsOf(await readAll(crlf))).toEqual(transpose(eopValues(eopRows)))
  })

  it('makes blank fields nulls, keeping the column float64', async () => {
    // dX (bytes 67-76) blanked on every tenth day.
    const blanked = eopRows.map((line, r) =>
      r % 10 === 3 ? line.slice(0, 66) + ' '.repeat(10) + line.slice(76) : line,
    )
    const table = await readAll(latin1(`${[...eopHeader, ...blanked].join('\n')}\n`))
    expect(table.schema.fields[8]!.type.toString()).toBe('Float64')
    const dX = columnsOf(table)[8]!
    expect(dX.filter((value) => value === null)).toHaveLength(80)
    expect(dX).toEqual(eopValues(eopRows).map((row, r) => (r % 10 === 3 ? null : row[8])))
  })
})

describe('fixed-width tables: the KStars star list', () => {
  const bytes = latin1(stars)

  it('reads the stars below the comments, names after the last column kept in it', async () => {
    const scan = await scanFixedWidth(bytesSource(bytes))
    expect(scan.dataStart).toBe(stars.indexOf('064508.92'))
    expect(scan.rowCount).toBe(starRows.length)
    expect(scan.fields.map(({ start, end }) => [start, end])).toEqual([
      [0, 9],
      [10, 19],
      [20, 45],
      [46, 58],
      [59, 60],
    ])
    expect(scan.columns.map((column) => column.type)).toEqual([
      'float64',
      'float64',
      'string',
      'string',
      'string',
    ])
    const table = await readAll(bytes, { scan })
    expect(table.get(0)!.toArray()).toEqual([
      64508.92,
      -164258,
      '-000546.0-001223.100379.2',
      '-1.4400.01A0',
      '1            , alp CMa, Sirius',
    ])
    const columns = columnsOf(table)
    expect(columns[0]).toEqual(starRows.map((line) => Number(line.slice(0, 9))))
    expect(columns[1]).toEqual(starRows.map((line) => Number(line.slice(10, 19))))
    expect(columns[3]).toEqual(starRows.map((line) => line.slice(46, 58).trim()))
    expect(columns[4]).toEqual(starRows.map((line) => line.slice(59).trim()))
  })
})

describe('fixed-width tables: an IPAC table from IRSA', () => {
  const ipac = fixture('irsa-sha-pid-head.tbl').toString('latin1')
  const [, namesLine, , ...rows] = ipac.trimEnd().split('\n')
  // The columns as IPAC defines them: between the bars of the names line.
  const bars = [...namesLine!.matchAll(/\|/g)].map((match) => match.index)
  const names = namesLine!
    .split('|')
    .slice(1, -1)
    .map((name) => name.trim())
  const cells = (c: number) => rows.map((row) => row.slice(bars[c]! + 1, bars[c + 1]).trim())

  it('splits fields at the bars, not at the spaces inside text values, named by the names line', async () => {
    const scan = await scanFixedWidth(bytesSource(latin1(ipac)))
    expect(scan.rowCount).toBe(39)
    expect(scan.fields.map((field) => field.name)).toEqual(names)
    expect(scan.fields.slice(1).map((field) => field.start - 1)).toEqual(bars.slice(1, -1))
    const columns = columnsOf(await readAll(latin1(ipac), { scan }))
    const mode = names.indexOf('modedisplayname')
    expect(columns[mode]).toContain('IRS Peakup Image') // spaces inside one value
    expect(columns[mode]).toEqual(cells(mode))
    expect(columns[names.indexOf('cra')]).toEqual(cells(names.indexOf('cra')))
    expect(columns[names.indexOf('reqkey')]).toEqual(cells(0).map(Number))
  })
})

describe('fixed-width tables: damaged and foreign input', () => {
  const eopBytes = latin1(eop)
  const expectedRows = (count: number) => transpose(eopValues(eopRows.slice(0, count)))

  it('ends the table at the last whole line of a truncated file', async () => {
    const cut = eopBytes.subarray(0, eop.indexOf(eopRows[400]!) + 50)
    const scan = await scanFixedWidth(bytesSource(cut))
    expect(scan).toMatchObject({ rowCount: 400, dataEnd: eop.indexOf(eopRows[400]!) })
    expect(columnsOf(await readAll(cut))).toEqual(expectedRows(400))
  })

  it('ends the table at a line cut short in its middle, and at a footer, as packing does', async () => {
    const shortLine = [
      ...eopHeader,
      ...eopRows.slice(0, 599),
      eopRows[599]!.slice(0, 60),
      ...eopRows.slice(600),
    ]
    const short = latin1(`${shortLine.join('\n')}\n`)
    expect(await scanFixedWidth(bytesSource(short))).toMatchObject({
      rowCount: 599,
      dataEnd: shortLine.slice(0, 14 + 599).join('\n').length + 1,
    })
    expect(columnsOf(await readAll(short))).toEqual(expectedRows(599))
    const footer = latin1(`${eop}END OF SERIES\n${eopRows[0]}\n`)
    expect(await scanFixedWidth(bytesSource(footer))).toMatchObject({
      rowCount: 800,
      dataEnd: eopBytes.length,
    })
    expect(columnsOf(await readAll(footer))).toEqual(expectedRows(800))
  })

  it('refuses what is not a table with BAD_MAGIC: prose, compressed bytes, nothing', async () => {
    const prose = latin1('The series is smoothed and interpolated to 0h UTC every day.\n'.repeat(200))
    for (const bytes of [prose, new Uint8Array(gzipSync(eopBytes)), new Uint8Array(0)]) {
      const error = await failure(scanFixedWidth(bytesSource(bytes)))
      expect(error).toMatchObject({ name: 'AstropackError', code: 'BAD_MAGIC' })
      expect(await failure(readAll(bytes))).toMatchObject({ code: 'BAD_MAGIC' })
    }
  })

  it('fails with CORRUPT_CHUNK on invalid UTF-8 or a NUL byte in a text field', async () => {
    const invalid = latin1(stars)
    invalid[stars.indexOf('Canopus') + 2] = 0xff
    const error = await failure(scanFixedWidth(bytesSource(invalid)))
    expect(error).toMatchObject({ code: 'CORRUPT_CHUNK', offset: stars.indexOf('Canopus') + 2 })
    expect(String(error)).toMatch(
      /row 2, byte \d+: field 'b\? dV vper, genetive name, long name': invalid UTF-8/,
    )
    // A NUL in the first MiB makes no table there (findFixedWidthTable takes control bytes for binary
    // data): here the stars go on for ten copies, and the last star's spectral type holds one.
    const big = latin1(stars + `${starRows.join('\n')}\n`.repeat(9))
    const nul = big.length - starRows.at(-1)!.length - 1 + 50
    big[nul] = 0
    expect(big.length).toBeGreaterThan(1024 * 1024)
    const nulError = await failure(readAll(big))
    expect(nulError).toMatchObject({ code: 'CORRUPT_CHUNK', offset: nul })
    expect(String(nulError)).toMatch(/row 14880, byte \d+: field 'mag BV SpT': a NUL byte/)
  })

  it('fails with TRUNCATED when the source gives fewer bytes than it claims', async () => {
    const shrunk: ByteSource = {
      byteLength: eopBytes.length + 1000,
      slice: async (start, end) => eopBytes.subarray(start, end),
    }
    expect(await failure(readAll(shrunk))).toMatchObject({ code: 'TRUNCATED' })
  })

  it('fails with LIMIT_EXCEEDED on a line longer than maxRecordBytes', async () => {
    const error = await failure(readAll(eopBytes, { sliceBytes: 64, maxRecordBytes: 100 }))
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED' })
  })

  it('does not read other bytes with a scan: a type that does not fit, a line that is not the table', async () => {
    const scan = await scanFixedWidth(bytesSource(eopBytes))
    const word = latin1(eop.replace(eopRows[10]!, eopRows[10]!.replace('0.000000', 'nonsense')))
    expect(await failure(readAll(word, { scan }))).toMatchObject({ code: 'CSV_TYPE_MISMATCH' })
    const moved = latin1(eop.replace(eopRows[10]!, ` ${eopRows[10]!.slice(0, -1)}`))
    expect(await failure(readAll(moved, { scan }))).toMatchObject({ code: 'CORRUPT_CHUNK' })
    expect(await failure(readAll(eopBytes, { batchRows: 0 }))).toMatchObject({ code: 'USAGE' })
  })
})
