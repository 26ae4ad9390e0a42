import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fromBytes, openPackage, type PackageReader } from '@astropack/format'
import { bytesSource, fitsTableToArrow, scanFits } from '@astropack/readers'
import { DuckDBInstance } from '@duckdb/node-api'
import { type DataType, type Field, Float, Int, Precision, Table, Type, tableFromIPC } from 'apache-arrow'
import {
  EntryByteSource,
  exportPackage,
  exportTable,
  exportZip,
  isAstropackError,
  packFolder,
} from 'astropack' // built: its workers run compiled JavaScript
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import yauzl from 'yauzl'
import { craftPackage } from '../../format/test/craft.js'
import { repeatTypesTable } from './fits-fixtures.js'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const READER_FIXTURES = fileURLToPath(new URL('../../readers/test/fixtures/', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'astropack-export-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const PSFIELD = 'fits/sdss-psField-003366-3-0110.fit' // HDU 9: 780 rows of 100A and 1J
const WMAP = 'fits/wmap7-W-iqu-nside32.fits' // HDU 1: 12 rows of three 1024E vectors
const HST = 'fits/hst-cos-g130m-spectrum.fits' // HDU 1: 32,042 rows of two D columns
const TYPES = 'fits/astropy-types-600.fits' // every FITS type, TSCAL/TZERO/TNULL, P and Q arrays
/** [entry, HDU]: every FITS table of the package. */
const TABLES: [string, number][] = [
  [PSFIELD, 9],
  [WMAP, 1],
  [HST, 1],
  [TYPES, 1],
]

let input: string
let packPath: string
let reader: PackageReader

beforeAll(async () => {
  input = join(work, 'in')
  mkdirSync(join(input, 'fits'), { recursive: true })
  mkdirSync(join(input, 'tables'))
  for (const name of [PSFIELD, WMAP, 'fits/sdo-aia171-level1-128.fits'])
    copyFileSync(join(SAMPLE, name), join(input, name))
  copyFileSync(join(READER_FIXTURES, 'hst-cos-g130m-spectrum.fits'), join(input, HST))
  writeFileSync(join(input, TYPES), await repeatTypesTable(200))
  copyFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'), join(input, 'tables/asteroids.csv'))
  packPath = join(work, 'export.astropack')
  // Small chunks, so each table spans several row groups.
  await packFolder({ sourcePath: input, outputPath: packPath, chunkSize: 16 * 1024, threads: 2 })
  reader = await openPackage(fromBytes(new Uint8Array(readFileSync(packPath))))
  const stored = (reader.manifest.tables ?? []).filter((table) => table.source === 'fits')
  expect(stored.map((table) => [table.entry, table.hdu])).toEqual(expect.arrayContaining(TABLES))
})

/** The table as the FITS reader reads it from the original file. */
async function fitsTable(entry: string, hdu: number): Promise<Table> {
  const file = new Uint8Array(readFileSync(join(input, entry)))
  const source = bytesSource(file)
  const batches = []
  for await (const batch of fitsTableToArrow(source, (await scanFits(source)).hdus[hdu]!)) batches.push(batch)
  return new Table(batches)
}

/** Values in one comparable form: integers as numbers (or digits past 2^53), lists as arrays. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value)
  if (typeof value === 'object' && Symbol.iterator in value)
    return Array.from(value as Iterable<unknown>, plain)
  return value
}

function rowsOf(table: Table): unknown[][] {
  return Array.from({ length: table.numRows }, (_, row) =>
    table.schema.fields.map((_field, c) => plain(table.getChildAt(c)!.get(row))),
  )
}

/** The DuckDB type a column of this Arrow type is read as (CSV cells are cast to it). */
function duckType(type: DataType): string {
  if (type.typeId === Type.Bool) return 'BOOLEAN'
  if (type.typeId === Type.Utf8) return 'VARCHAR'
  if (type instanceof Float) return type.precision === Precision.SINGLE ? 'FLOAT' : 'DOUBLE'
  if (type instanceof Int) {
    const names: Record<number, string> = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }
    const name = names[type.bitWidth as number]
    return `${type.isSigned ? '' : 'U'}${name}`
  }
  if (type.typeId === Type.FixedSizeList || type.typeId === Type.List)
    return `${duckType((type.children[0] as Field).type)}[]`
  throw new Error(`no DuckDB type for ${type}`)
}

async function duckRows(from: string, fields: Field[]): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:')
  const connection = await db.connect()
  const columns = fields.map((field) => {
    const name = `"${field.name.replaceAll('"', '""')}"`
    return `CAST(${name} AS ${duckType(field.type)}) AS ${name}`
  })
  const result = await connection.runAndReadAll(`SELECT ${columns.join(', ')} FROM ${from}`)
  const rows = result.getRowsJS().map((row) => row.map(plain))
  connection.closeSync()
  return rows
}

describe('export of a table', () => {
  it.each(TABLES)(
    '%s HDU %i: DuckDB reads our Parquet as the FITS reader reads the file',
    async (entry, hdu) => {
      const output = join(work, `${hdu}-${entry.replaceAll('/', '_')}.parquet`)
      const result = await exportTable({ packPath, outputPath: output, entry, table: hdu, to: 'parquet' })
      const expected = await fitsTable(entry, hdu)
      expect(result).toMatchObject({ entry, hdu, rows: expected.numRows, columns: expected.numCols })
      expect(await duckRows(`read_parquet('${output}')`, expected.schema.fields)).toEqual(rowsOf(expected))
      // Parquet keeps the types: DuckDB's own reading of the file gives the same types the casts name.
      const db = await DuckDBInstance.create(':memory:')
      const described = await (await db.connect()).runAndReadAll(`DESCRIBE SELECT * FROM '${output}'`)
      const types = described.getRowsJS().map((row) => String(row[1]).replace(/\[\d+\]$/, '[]'))
      expect(types).toEqual(expected.schema.fields.map((field) => duckType(field.type)))
    },
  )

  it.each(TABLES)('%s HDU %i: DuckDB reads our CSV as the FITS reader reads the file', async (entry, hdu) => {
    const output = join(work, `${hdu}-${entry.replaceAll('/', '_')}.csv`)
    await exportTable({ packPath, outputPath: output, entry, table: hdu, to: 'csv' })
    const expected = await fitsTable(entry, hdu)
    // Every cell read as text, then cast: lists and 64-bit integers are parsed by DuckDB, not guessed.
    const csv = `read_csv('${output}', header = true, all_varchar = true, allow_quoted_nulls = false)`
    expect(await duckRows(csv, expected.schema.fields)).toEqual(rowsOf(expected))
  })

  it.each(TABLES)('%s HDU %i: the Arrow IPC file reads back equal, schema included', async (entry, hdu) => {
    const output = join(work, `${hdu}-${entry.replaceAll('/', '_')}.arrow`)
    await exportTable({ packPath, outputPath: output, entry, table: hdu, to: 'arrow' })
    const expected = await fitsTable(entry, hdu)
    const actual = tableFromIPC(readFileSync(output))
    expect(actual.schema.fields.map(String)).toEqual(expected.schema.fields.map(String))
    expect(actual.schema.metadata).toEqual(expected.schema.metadata)
    expect(actual.schema.fields.map((field) => field.metadata)).toEqual(
      expected.schema.fields.map((field) => field.metadata),
    )
    expect(rowsOf(actual)).toEqual(rowsOf(expected))
  })

  it('writes numbers as the shortest text that reads back the same, float32 as float32', async () => {
    const output = join(work, 'wmap-text.csv')
    await exportTable({ packPath, outputPath: output, entry: WMAP, to: 'csv' })
    const [header, first] = readFileSync(output, 'utf8').split('\n')
    expect(header).toBe('I_STOKES,Q_STOKES,U_STOKES')
    const texts = /^"\[([^\]]*)\]"/.exec(first!)![1]!.split(', ')
    const expected = (await fitsTable(WMAP, 1)).getChildAt(0)!.get(0)!.toArray() as Float32Array
    expect(texts).toHaveLength(1024)
    for (const [i, text] of texts.entries()) {
      const value = expected[i]!
      expect(Math.fround(Number(text))).toBe(value)
      // Shortest: one digit fewer would read back as another float32.
      const digits = Number(text).toExponential().replace(/e.*$/, '').replace(/[-.]/g, '').length
      if (digits > 1) expect(Math.fround(Number(value.toPrecision(digits - 1)))).not.toBe(value)
    }
  })

  it('reads the entry through an adapter that decodes only the pieces a range needs', async () => {
    const file = new Uint8Array(readFileSync(join(input, HST)))
    const source = new EntryByteSource(reader, reader.entry(HST), { cacheBytes: 64 * 1024 })
    for (const [start, end] of [
      [0, 10],
      [2870, 2890],
      [5000, 200_000],
      [file.byteLength - 100, file.byteLength],
      [0, file.byteLength],
    ] as const) {
      expect(Buffer.from(await source.slice(start, end)).equals(file.subarray(start, end))).toBe(true)
    }
    // A range inside one row group decodes that group only, once.
    const fresh = new EntryByteSource(reader, reader.entry(HST))
    await fresh.slice(100_000, 100_016)
    await fresh.slice(100_016, 100_032)
    expect(fresh.stats).toEqual({ decoded: 1, cacheHits: 1 })
    await expect(source.slice(0, file.byteLength + 1)).rejects.toMatchObject({ code: 'TRUNCATED' })
  })
})

describe('export of the files as a ZIP', () => {
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
  const files = () =>
    (readdirSync(input, { recursive: true }) as string[])
      .filter((name) => statSync(join(input, name)).isFile())
      .sort()

  it('unzip gives back every file byte for byte', async (context) => {
    const output = join(work, 'all.zip')
    const result = await exportZip({ packPath, outputPath: output })
    expect(result.files).toBe(files().length)
    if (spawnSync('unzip', ['-v']).error) {
      context.skip('the unzip command is not installed (Debian: apt-get install unzip)')
    }
    const out = join(work, 'unzipped')
    const run = spawnSync('unzip', ['-q', output, '-d', out])
    expect(run.status, run.stderr.toString()).toBe(0)
    const unzipped = (readdirSync(out, { recursive: true }) as string[])
      .filter((name) => statSync(join(out, name)).isFile())
      .sort()
    expect(unzipped).toEqual(files())
    for (const name of files()) {
      expect(readFileSync(join(out, name)).equals(readFileSync(join(input, name))), name).toBe(true)
      // unzip restores the DOS time of the local header: even seconds.
      const drift = statSync(join(out, name)).mtimeMs - statSync(join(input, name)).mtimeMs
      expect(Math.abs(drift)).toBeLessThan(2000)
    }
  })

  it('yauzl reads back stored entries whose SHA-256 match the index, for the entries asked', async () => {
    const output = join(work, 'some.zip')
    await exportPackage({
      packPath,
      outputPath: output,
      to: 'zip',
      entries: ['fits', 'tables/asteroids.csv'],
    })
    const read = await readZip(output)
    const wanted = reader.entries.filter(
      (entry) =>
        entry.kind === 'file' && (entry.path.startsWith('fits/') || entry.path === 'tables/asteroids.csv'),
    )
    expect([...read.keys()].filter((name) => !name.endsWith('/'))).toEqual(wanted.map((entry) => entry.path))
    for (const entry of wanted) {
      const { bytes, method } = read.get(entry.path)!
      expect(method).toBe(0) // stored
      expect(sha256(bytes), entry.path).toBe(entry.sha256)
    }
  })

  it('fails on a file whose SHA-256 does not match the index, leaving no ZIP behind', async () => {
    const bad = join(work, 'bad-sha.astropack')
    writeFileSync(bad, await craftPackage({ entries: [{ sha256: '0'.repeat(64) }] }))
    const output = join(work, 'bad.zip')
    await expect(exportZip({ packPath: bad, outputPath: output })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    })
    expect(readdirSync(work).filter((name) => name.includes('bad.zip'))).toEqual([])
  })
})

describe('a damaged package', () => {
  it('fails every export whose data is damaged, leaving no output behind', async () => {
    const bytes = new Uint8Array(readFileSync(packPath))
    const rows = reader.segmentsOf(reader.entry(HST))!.find((segment) => segment.layout === 'rows')!
    bytes[reader.chunks[rows.firstChunk + rows.chunkCount - 3]!.offset + 5]! ^= 0xff // a row group's column
    const damaged = join(work, 'damaged.astropack')
    writeFileSync(damaged, bytes)
    for (const to of ['parquet', 'arrow', 'csv', 'zip'] as const) {
      const outputPath = join(work, `damaged.${to}`)
      await expect(
        exportPackage({ packPath: damaged, outputPath, to, ...(to === 'zip' ? {} : { entries: [HST] }) }),
        to,
      ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' })
      expect(readdirSync(work).filter((name) => name.includes(`damaged.${to}`))).toEqual([])
    }
  })
})

describe('errors are typed', () => {
  const attempt = async (run: () => Promise<unknown>) => {
    try {
      await run()
    } catch (error) {
      if (isAstropackError(error)) return { code: error.code, message: error.message }
      throw error
    }
    throw new Error('expected a typed error')
  }
  const output = () => join(work, `never-${Math.random()}.out`)

  it('lists the tables when more than one could be meant', async () => {
    const error = await attempt(() => exportTable({ packPath, outputPath: output(), to: 'parquet' }))
    expect(error.code).toBe('USAGE')
    for (const [entry] of TABLES) expect(error.message).toContain(entry)
    expect(error.message).toContain('--table')
  })

  it('names an HDU number found in several entries as ambiguous', async () => {
    const error = await attempt(() => exportTable({ packPath, outputPath: output(), to: 'csv', table: 1 }))
    expect(error).toMatchObject({ code: 'USAGE', message: expect.stringContaining('--entry') })
  })

  it('refuses unknown tables, entries and formats', async () => {
    expect(
      await attempt(() => exportTable({ packPath, outputPath: output(), to: 'csv', table: 'NOPE' })),
    ).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('tables:') })
    expect(
      await attempt(() => exportTable({ packPath, outputPath: output(), to: 'csv', entry: 'no/such.fits' })),
    ).toMatchObject({ code: 'NOT_FOUND' })
    expect(
      await attempt(() =>
        exportTable({ packPath, outputPath: output(), to: 'csv', entry: 'fits/sdo-aia171-level1-128.fits' }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no table') })
    expect(
      await attempt(() =>
        exportPackage({ packPath, outputPath: output(), to: 'xlsx' as 'csv', entries: [PSFIELD] }),
      ),
    ).toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining('parquet, arrow, csv, fits, hdf5, zip'),
    })
    expect(
      await attempt(() =>
        exportTable({ packPath, outputPath: output(), to: 'zip' as 'csv', entry: PSFIELD }),
      ),
    ).toMatchObject({ code: 'USAGE' })
    expect(
      await attempt(() => exportPackage({ packPath, outputPath: output(), to: 'zip', table: 9 })),
    ).toMatchObject({ code: 'USAGE' })
  })

  it('exports a CSV table too: DuckDB reads our Parquet with the values it reads from the original CSV', async () => {
    const output = join(work, 'asteroids.parquet')
    const result = await exportTable({
      packPath,
      outputPath: output,
      entry: 'tables/asteroids.csv',
      to: 'parquet',
    })
    expect(result).toMatchObject({ entry: 'tables/asteroids.csv', rows: 7099, columns: 20 })
    expect(result.hdu).toBeUndefined()
    const db = await DuckDBInstance.create(':memory:')
    const connection = await db.connect()
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM '${output}'`)
    const columns = described.getRowsJS().map((row) => ({ name: String(row[0]), type: String(row[1]) }))
    expect(columns.find((c) => c.name === 'H')?.type).toBe('DOUBLE')
    expect(columns.find((c) => c.name === 'full_name')?.type).toBe('VARCHAR')
    // The original CSV read as text and cast to the types our Parquet has: the same rows, value for value.
    const select = columns.map(({ name, type }) => `CAST("${name}" AS ${type}) AS "${name}"`).join(', ')
    const original = join(input, 'tables/asteroids.csv')
    const fromCsv = await connection.runAndReadAll(
      `SELECT ${select} FROM read_csv('${original}', header = true, all_varchar = true)`,
    )
    const fromParquet = await connection.runAndReadAll(`SELECT * FROM '${output}'`)
    expect(fromParquet.getRowsJS().map((row) => row.map(plain))).toEqual(
      fromCsv.getRowsJS().map((row) => row.map(plain)),
    )
    connection.closeSync()
  })

  it('does not replace an existing file without overwrite', async () => {
    const existing = join(work, 'existing.parquet')
    writeFileSync(existing, 'keep')
    const options = { packPath, outputPath: existing, entry: PSFIELD, to: 'parquet' as const }
    expect(await attempt(() => exportTable(options))).toMatchObject({ code: 'OUTPUT_EXISTS' })
    expect(readFileSync(existing, 'utf8')).toBe('keep')
    await exportTable({ ...options, overwrite: true })
    expect(existsSync(existing) && statSync(existing).size).toBeGreaterThan(4)
  })
})

/** Every entry of a ZIP, read with yauzl: its bytes and compression method. */
function readZip(path: string): Promise<Map<string, { bytes: Buffer; method: number }>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error)
      const out = new Map<string, { bytes: Buffer; method: number }>()
      zip.on('error', reject)
      zip.on('end', () => resolve(out))
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError)
          const parts: Buffer[] = []
          stream.on('data', (part: Buffer) => parts.push(part))
          stream.on('error', reject)
          stream.on('end', () => {
            out.set(entry.fileName, { bytes: Buffer.concat(parts), method: entry.compressionMethod })
            zip.readEntry()
          })
        })
      })
      zip.readEntry()
    })
  })
}
