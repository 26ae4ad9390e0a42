import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type ColumnValue,
  columnChunkIndexes,
  columnStorage,
  columnValues,
  FEATURE_PREDICTED_COLUMNS,
  FIRST_READ_SIZE,
  fromBytes,
  isAstropackError,
  locateColumn,
  openPackage,
  openUrl,
  type PackageReader,
  readColumn,
  withReadStats,
} from '@astropack/format'
import {
  binaryTableLayout,
  bytesSource,
  type ColumnData,
  type FitsHdu,
  readTableColumns,
  scanFits,
} from '@astropack/readers'
import { packFolder } from 'astropack' // built: its workers run compiled JavaScript
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RangeServer, serveRanges } from '../../format/test/range-server.js'
import { repeatTypesTable } from './fits-fixtures.js'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const READER_FIXTURES = fileURLToPath(new URL('../../readers/test/fixtures/', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'astropack-columns-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const HST = 'hst-cos-g130m-spectrum.fits' // 32,042 rows of two D columns
const PSFIELD = 'sdss-psField-003366-3-0110.fit' // HDU 9: 780 rows of 100A and 1J
const TYPES = 'astropy-types-600.fits' // every FITS type, with TSCAL/TZERO/TNULL, rows repeated to 600
/** Small chunks, so each table spans several groups: HST 1,024 rows, psField 157, types 95 per group. */
const CHUNK_SIZE = 16 * 1024

let pkg: Uint8Array
let reader: PackageReader
const originals = new Map<string, Uint8Array>()

async function tableHdu(file: Uint8Array, index: number): Promise<FitsHdu> {
  const scan = await scanFits(bytesSource(file))
  return scan.hdus[index]!
}

/** What the FITS reader reads for a column, as columnValues gives it: scaled, nulls as null. */
async function fitsValues(
  name: string,
  hdu: number,
  column: string,
  rows?: [number, number],
): Promise<ColumnValue[]> {
  const file = originals.get(name)!
  const [data] = await readTableColumns(bytesSource(file), await tableHdu(file, hdu), {
    columns: [column],
    scale: true,
    ...(rows ? { rowStart: rows[0], rowEnd: rows[1] } : {}),
  })
  return asValues(data!)
}

function asValues(data: ColumnData): ColumnValue[] {
  return Array.from(data.values as ArrayLike<number | bigint | string>, (value, i) => {
    if (data.nulls?.[i]) return null
    return data.kind === 'logical' ? value === 1 : value
  })
}

/** The column's bytes gathered straight from the FITS file, row by row. */
async function fitsColumnBytes(name: string, hdu: number, column: string, rows: [number, number]) {
  const file = originals.get(name)!
  const layout = binaryTableLayout(await tableHdu(file, hdu))
  const { offset, width } = layout.columns.find((candidate) => candidate.name === column)!
  const out = new Uint8Array((rows[1] - rows[0]) * width)
  for (let r = rows[0]; r < rows[1]; r++) {
    const at = layout.dataStart + r * layout.rowBytes + offset
    out.set(file.subarray(at, at + width), (r - rows[0]) * width)
  }
  return out
}

async function columnBytes(from: PackageReader, entry: string, column: string, rows?: [number, number]) {
  const parts: Uint8Array[] = []
  let next = rows?.[0] ?? 0
  for await (const piece of readColumn(from, { entry, column, ...(rows ? { rows } : {}) })) {
    expect(piece.firstRow).toBe(next)
    next += piece.rowCount
    parts.push(piece.bytes)
  }
  return Buffer.concat(parts)
}

beforeAll(async () => {
  const input = join(work, 'in')
  mkdirSync(input)
  for (const name of [PSFIELD, 'wmap7-W-iqu-nside32.fits', 'sdo-aia171-level1-128.fits'])
    copyFileSync(join(SAMPLE, 'fits', name), join(input, name))
  copyFileSync(join(READER_FIXTURES, HST), join(input, HST))
  copyFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'), join(input, 'asteroids.csv'))
  for (const name of [HST, PSFIELD]) originals.set(name, new Uint8Array(readFileSync(join(input, name))))
  pkg = await pack(input, 'columns.astropack')
  reader = await openPackage(fromBytes(pkg))
})

async function pack(input: string, name: string): Promise<Uint8Array> {
  const output = join(work, name)
  await packFolder({ sourcePath: input, outputPath: output, chunkSize: CHUNK_SIZE, threads: 2 })
  return new Uint8Array(readFileSync(output))
}

describe('reading one column of a table', () => {
  it('finds each table by its data offset, with several groups', () => {
    const hst = locateColumn(reader, { entry: HST, column: 'THROUGHPUT' })
    expect(hst.table.dataOffset).toBe(hst.segment.rawOffset)
    expect(hst.rowCount).toBe(32042)
    expect(hst.segment.rowsPerGroup).toBe(1024)
    expect(columnChunkIndexes(hst)).toHaveLength(32)
  })

  it('gives the values the FITS reader reads, for all rows and for rows across groups', async () => {
    const cases: [string, number, string, [number, number]][] = [
      [HST, 1, 'WAVELENGTH', [1000, 2500]],
      [HST, 1, 'THROUGHPUT', [1023, 1025]],
      [PSFIELD, 9, 'file', [100, 400]],
      [PSFIELD, 9, 'crc', [156, 158]],
    ]
    await expectFitsValues(reader, cases)
  })

  it('gives exactly the bytes of the field in each row, vectors and heap descriptors included', async () => {
    const cases: [string, number, string, [number, number]][] = [
      [HST, 1, 'WAVELENGTH', [0, 32042]],
      [HST, 1, 'WAVELENGTH', [3000, 5121]],
      [PSFIELD, 9, 'file', [0, 780]],
    ]
    await expectFitsBytes(reader, cases)
    expect(await columnBytes(reader, HST, 'WAVELENGTH', [7, 7])).toHaveLength(0)
  })

  it('reads only the chunks of that column, for the groups the rows are in', async () => {
    const source = withReadStats(fromBytes(pkg))
    const counted = await openPackage(source)
    const opened = { ...source.stats }
    const location = locateColumn(counted, { entry: HST, column: 'THROUGHPUT' })
    const some = columnChunkIndexes(location, [1000, 2500])
    expect(some).toHaveLength(3)
    await columnBytes(counted, HST, 'THROUGHPUT', [1000, 2500])
    // One request per chunk: the other column's chunks lie between them.
    expect(source.stats.requests - opened.requests).toBe(3)
    expect(source.stats.bytes - opened.bytes).toBe(counted.storedBytes(some))
  })

  it('maps tables to segments by position in packages written before dataOffset', async () => {
    const old = await openPackage(fromBytes(pkg))
    for (const table of old.manifest.tables ?? []) delete table.dataOffset
    const values = await columnValues(old, { entry: PSFIELD, column: 'crc' })
    expect(values).toEqual(await fitsValues(PSFIELD, 9, 'crc'))
  })
})

/** Entry, HDU, column, and a row range (for values: compared with every row too). */
type Case = [string, number, string, [number, number]]

async function expectFitsValues(from: PackageReader, cases: Case[]) {
  for (const [entry, hdu, column, rows] of cases) {
    const all = await columnValues(from, { entry, column })
    expect(all, `${entry} ${column}`).toEqual(await fitsValues(entry, hdu, column))
    const some = await columnValues(from, { entry, table: hdu, column, rows })
    expect(some, `${entry} ${column} ${rows}`).toEqual(await fitsValues(entry, hdu, column, rows))
    expect(some).toEqual(all.slice(...rows))
  }
}

async function expectFitsBytes(from: PackageReader, cases: Case[]) {
  for (const [entry, hdu, column, rows] of cases) {
    const bytes = await columnBytes(from, entry, column, rows)
    expect(bytes.equals(await fitsColumnBytes(entry, hdu, column, rows)), `${entry} ${column}`).toBe(true)
  }
}

describe('every scalar FITS type, with TSCAL, TZERO and TNULL', () => {
  let types: PackageReader
  beforeAll(async () => {
    const input = join(work, 'types')
    mkdirSync(input)
    const file = await repeatTypesTable(200)
    writeFileSync(join(input, TYPES), file)
    originals.set(TYPES, file)
    types = await openPackage(fromBytes(await pack(input, 'types.astropack')))
  })

  it('gives the values the FITS reader reads, scaled, with nulls as null', async () => {
    expect(locateColumn(types, { entry: TYPES, column: 'u64' }).rowCount).toBe(600)
    const cases: Case[] = []
    for (const column of ['flag', 'ubyte', 'sbyte', 'i16', 'u16', 'u32', 'u64', 'i64', 'name'])
      cases.push([TYPES, 1, column, [90, 200]])
    for (const column of ['scaled', 'escaled', 'withnull', 'f32']) cases.push([TYPES, 1, column, [94, 96]])
    await expectFitsValues(types, cases)
    // TSCAL/TZERO/TNULL come from the manifest: the conventions give exact integers, nulls are null.
    const u64 = await columnValues(types, { entry: TYPES, column: 'u64', rows: [0, 3] })
    expect(u64.every((value) => typeof value === 'bigint' && value >= 0n)).toBe(true)
    expect(await columnValues(types, { entry: TYPES, column: 'withnull', rows: [0, 3] })).toContain(null)
  })

  it('gives the bytes of vectors, bits, strings and heap descriptors; values only of scalars', async () => {
    await expectFitsBytes(types, [
      [TYPES, 1, 'vec', [0, 600]],
      [TYPES, 1, 'bits', [10, 300]],
      [TYPES, 1, 'vla', [94, 95]],
      [TYPES, 1, 'words', [0, 600]],
    ])
    for (const column of ['vec', 'bits', 'c', 'vla', 'flags'])
      expect(await code(() => columnValues(types, { entry: TYPES, column })), column).toBe('USAGE')
  })
})

describe('reading a column over HTTP', () => {
  let server: RangeServer
  beforeAll(async () => {
    server = await serveRanges(pkg)
  })
  afterAll(() => server.close())

  it('transfers the index and that column’s stored chunks, a small part of the package', async () => {
    server.reset()
    const source = withReadStats(await openUrl(server.url()))
    const remote = await openPackage(source)
    expect(remote.trailer.indexOffset).toBeGreaterThanOrEqual(pkg.byteLength - FIRST_READ_SIZE) // one first read
    const location = locateColumn(remote, { entry: HST, column: 'WAVELENGTH' })
    const stored = remote.storedBytes(columnChunkIndexes(location))
    const values = await columnValues(remote, { entry: HST, column: 'WAVELENGTH' })
    expect(values).toEqual(await fitsValues(HST, 1, 'WAVELENGTH'))
    // One request a run of the column's chunks that lie side by side: a group's chunk alone, or with the
    // next group's when the other column's chunk between them was stored once for two groups.
    const chunks = columnChunkIndexes(location).map((index) => remote.chunks[index]!)
    const runs = chunks.filter(
      (chunk, i) => i === 0 || chunk.offset !== chunks[i - 1]!.offset + chunks[i - 1]!.storedSize,
    )
    expect(runs.length).toBeGreaterThan(25)
    expect(source.stats.requests).toBe(1 + runs.length)
    expect(server.sent).toBe(source.stats.bytes)
    expect(server.sent).toBeLessThanOrEqual(stored + FIRST_READ_SIZE + 1024)
    expect(server.sent).toBeLessThan(pkg.byteLength / 5)
  })
})

async function code(run: () => unknown) {
  try {
    await run()
  } catch (error) {
    if (isAstropackError(error)) return error.code
    throw error
  }
  return 'no error'
}

/** The JPL catalog's column names, and each line's fields (none of its fields is quoted). */
function jplFields(): { names: string[]; rows: string[][] } {
  const lines = readFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'), 'latin1').trimEnd().split('\n')
  return { names: lines[0]!.split(','), rows: lines.slice(1).map((line) => line.split(',')) }
}

describe('reading one column of a CSV table', () => {
  it('gives each field as a value (numbers, null for empty fields, text), reading only that column', async () => {
    const { names, rows } = jplFields()
    const source = withReadStats(fromBytes(pkg))
    const counted = await openPackage(source)
    const before = source.stats.bytes
    const diameter = await columnValues(counted, { entry: 'asteroids.csv', column: 'diameter' })
    const read = source.stats.bytes - before
    expect(diameter).toEqual(
      rows.map((row) =>
        row[names.indexOf('diameter')] === '' ? null : Number(row[names.indexOf('diameter')]),
      ),
    )
    expect(diameter.filter((v) => v === null).length).toBeGreaterThan(1000)
    // Only that column's chunks: far less than the entry's stored bytes.
    const entry = counted.entry('asteroids.csv')
    expect(read).toBeLessThan(counted.storedBytes(counted.chunkIndexes(entry)) / 4)
    const names20 = await columnValues(counted, {
      entry: 'asteroids.csv',
      column: 'full_name',
      rows: [100, 120],
    })
    expect(names20).toEqual(rows.slice(100, 120).map((row) => row[names.indexOf('full_name')]))
    const h = await columnValues(counted, { entry: 'asteroids.csv', column: 'H', rows: [7000, rows.length] })
    expect(h).toEqual(rows.slice(7000).map((row) => Number(row[names.indexOf('H')])))
  })
})

describe('reading a column predicted from others of its line', () => {
  it("gives q and the period as printed, reading their sources' chunks and no other", async () => {
    const { names, rows } = jplFields()
    const [e, a, q, period] = ['e', 'a', 'q', 'per_y'].map((name) => names.indexOf(name)) as number[]
    const segment = reader.segmentsOf(reader.entry('asteroids.csv'))!.find((s) => s.layout === 'text')!
    const groups = segment.chunkCount / names.length
    const chunksOf = (columns: number[]) =>
      Array.from({ length: groups }, (_, g) =>
        columns.map((c) => segment.firstChunk + g * names.length + c),
      ).flat()
    // Stored as predictions (kind 8): from a and e, and from a alone; readers need feature bit 6.
    expect(reader.trailer.requiredFeatures & FEATURE_PREDICTED_COLUMNS).toBe(FEATURE_PREDICTED_COLUMNS)
    for (const index of chunksOf([q!, period!])) {
      const [stored] = await reader.readStoredInto([index], new Uint8Array(1 << 20))
      expect((await reader.decode(stored!.chunk, stored!.stored))[0]).toBe(8)
    }
    const source = withReadStats(fromBytes(pkg))
    const counted = await openPackage(source)
    const before = { ...source.stats }
    const values = await columnValues(counted, { entry: 'asteroids.csv', column: 'q' })
    const read = source.stats.bytes - before.bytes
    expect(values).toEqual(rows.map((row) => Number(row[q!])))
    // q's chunks and those of a and e: their stored bytes, nothing else; e and a (columns 10 and 11, side
    // by side) in one request a group.
    expect(read).toBe(counted.storedBytes(chunksOf([e!, a!, q!])))
    expect(source.stats.requests - before.requests).toBeLessThanOrEqual(2 * groups)
    const periods = await columnValues(counted, {
      entry: 'asteroids.csv',
      column: 'per_y',
      rows: [7000, rows.length],
    })
    expect(periods).toEqual(rows.slice(7000).map((row) => Number(row[period!])))
  })
})

describe('where a column went (columnStorage)', () => {
  it("counts each column's chunks once: a table's columns add up to its segment's stored bytes", () => {
    for (const entry of [HST, 'asteroids.csv']) {
      const table = reader.manifest.tables!.find((t) => t.entry === entry)!
      const segment = reader.segmentsOf(reader.entry(entry))!.find((s) => s.layout !== 'bytes')!
      const all = Array.from({ length: segment.chunkCount }, (_, i) => segment.firstChunk + i)
      const storage = table.columns.map((column) =>
        columnStorage(reader, { entry, table: table.hdu ?? table.name, column: column.name }),
      )
      expect(
        storage.reduce((sum, s) => sum + s.storedBytes, 0),
        entry,
      ).toBe(reader.storedBytes(all))
      expect(
        storage.reduce((sum, s) => sum + s.chunks, 0),
        entry,
      ).toBe(segment.chunkCount)
      for (const s of storage) expect(s.shared).toBe(false)
    }
    // The HST doubles: more than one group, each column with a chain of its own.
    const wavelength = columnStorage(reader, { entry: HST, column: 'WAVELENGTH' })
    expect(wavelength.chunks).toBeGreaterThan(1)
    expect(wavelength.steps.length).toBeGreaterThan(0)
  })
})

describe('typed errors', () => {
  it('NOT_FOUND for an unknown entry, table or column, before reading any chunk', async () => {
    const source = withReadStats(fromBytes(pkg))
    const counted = await openPackage(source)
    const opened = { ...source.stats }
    const values = (ref: { entry: string; table?: number | string; column: string }) => () =>
      columnValues(counted, ref)
    expect(await code(values({ entry: 'nope.fits', column: 'crc' }))).toBe('NOT_FOUND')
    expect(await code(values({ entry: PSFIELD, column: 'nope' }))).toBe('NOT_FOUND')
    expect(await code(values({ entry: PSFIELD, table: 3, column: 'crc' }))).toBe('NOT_FOUND')
    expect(await code(values({ entry: PSFIELD, table: 'EVENTS', column: 'crc' }))).toBe('NOT_FOUND')
    expect(await code(values({ entry: 'sdo-aia171-level1-128.fits', column: 'x' }))).toBe('NOT_FOUND')
    expect(source.stats).toEqual(opened)
  })

  it('USAGE for a bad row range, a text table, or values of a vector column', async () => {
    const ref = { entry: HST, column: 'WAVELENGTH' }
    for (const rows of [
      [5, 2],
      [-1, 3],
      [0, 32043],
      [0.5, 2],
    ] as [number, number][]) {
      expect(await code(() => columnValues(reader, { ...ref, rows })), String(rows)).toBe('USAGE')
      expect(await code(() => readColumn(reader, { ...ref, rows }).next()), String(rows)).toBe('USAGE')
    }
    // A text table's columns are values, not stored bytes.
    expect(await code(() => readColumn(reader, { entry: 'asteroids.csv', column: 'full_name' }).next())).toBe(
      'USAGE',
    )
    expect(
      await code(() => columnValues(reader, { entry: 'wmap7-W-iqu-nside32.fits', column: 'I_STOKES' })),
    ).toBe('USAGE')
  })
})
