import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type ColumnMetrics,
  type ColumnValue,
  columnChunkIndexes,
  columnValues,
  fromBytes,
  locateColumn,
  type ManifestTable,
  openPackage,
  openUrl,
  type PackageReader,
  readColumn,
} from '@astropack/format'
import { type Hdf5TableSelection, hdf5TableToArrow } from '@astropack/readers'
import { DuckDBInstance } from '@duckdb/node-api'
import { exportTable, isAstropackError, packFolder, unpackPackage } from 'astropack' // built: workers run compiled JavaScript
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RangeServer, serveRanges } from '../../format/test/range-server.js'

const LAYOUT = fileURLToPath(new URL('../../readers/test/fixtures/hdf5-layout', import.meta.url))
const MIXED = fileURLToPath(new URL('./fixtures/hdf5-tables/mixed.h5', import.meta.url))
const BOOLS = fileURLToPath(new URL('./fixtures/hdf5-tables/bools.h5', import.meta.url))
const VECTORS = fileURLToPath(new URL('./fixtures/hdf5-tables/vectors.h5', import.meta.url))
const CHUNKED = fileURLToPath(new URL('./fixtures/hdf5-tables/chunked.h5', import.meta.url))
/** What h5py reads from mixed.h5's /rows: every 10th row, and each numeric column's metrics. */
const MIXED_ROWS: {
  every: number
  values: Record<string, (number | string)[]>
  metrics: Record<string, ColumnMetrics>
} = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/hdf5-tables/mixed-expected.json', import.meta.url)), 'utf8'),
).rows
/** h5py's JSON as our values: 64-bit integers as bigints, "NaN" as NaN. */
function h5pyValues(name: string, type: string | undefined): ColumnValue[] {
  return MIXED_ROWS.values[name]!.map((v) =>
    v === 'NaN' ? Number.NaN : /[iu]8$/.test(type ?? '') ? BigInt(v) : v,
  )
}
const TYCHO = fileURLToPath(
  new URL('../../../fixtures/sample/tables/tycho2-07-first20000.h5', import.meta.url),
)
const work = mkdtempSync(join(tmpdir(), 'astropack-hdf5-tables-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const input = join(work, 'in')
mkdirSync(input)
copyFileSync(join(LAYOUT, 'compound.h5'), join(input, 'compound.h5'))
copyFileSync(join(LAYOUT, 'default.h5'), join(input, 'default.h5'))
copyFileSync(MIXED, join(input, 'mixed.h5'))
copyFileSync(BOOLS, join(input, 'bools.h5'))
copyFileSync(VECTORS, join(input, 'vectors.h5'))
copyFileSync(CHUNKED, join(input, 'chunked.h5'))
copyFileSync(TYCHO, join(input, 'tycho2.h5'))

/**
 * The tables compared with what h5wasm reads: entry, table name, and how h5wasm selects it. (mixed.h5's
 * /rows, whose members mix byte orders, h5wasm refuses: it is compared with h5py's values below.)
 */
const TABLES: [entry: string, name: string, selection: Hdf5TableSelection][] = [
  ['compound.h5', '/stars', { dataset: '/stars' }],
  ['mixed.h5', '/columns', { group: '/columns' }],
  ['default.h5', '/catalog', { group: '/catalog' }],
  ['tycho2.h5', '/catalog', { group: '/catalog' }],
  ['bools.h5', '/flags', { group: '/flags' }],
  ['bools.h5', '/rows', { dataset: '/rows' }],
  // Chunks of 1024 rows: the table is the first 10000 of its segment's 10240.
  ['chunked.h5', '/stars', { dataset: '/stars' }],
]

/** Packages of the same files: default chunks, and chunks of an odd size that cut values in two. */
const packages: Record<'plain' | 'odd', { path: string; reader: PackageReader }> = {} as never
beforeAll(async () => {
  for (const [name, chunkSize] of [
    ['plain', undefined],
    ['odd', 4099],
  ] as const) {
    const path = join(work, `${name}.astropack`)
    await packFolder({ sourcePath: input, outputPath: path, threads: 2, ...(chunkSize ? { chunkSize } : {}) })
    packages[name] = { path, reader: await openPackage(fromBytes(readFileSync(path))) }
  }
}, 60_000)

/** What h5wasm (the HDF5 C library) reads: each column's values, vectors as arrays. */
async function h5Columns(file: string, selection: Hdf5TableSelection): Promise<Map<string, unknown[]>> {
  const columns = new Map<string, unknown[]>()
  for await (const batch of hdf5TableToArrow(join(input, file), selection)) {
    for (const field of batch.schema.fields) {
      const values = columns.get(field.name) ?? []
      for (const value of batch.getChild(field.name)!) {
        values.push(
          typeof value === 'object' && value !== null ? Array.from(value as Iterable<unknown>) : value,
        )
      }
      columns.set(field.name, values)
    }
  }
  return columns
}

function tableOf(reader: PackageReader, entry: string, name: string): ManifestTable {
  const table = reader.manifest.tables!.find((t) => t.entry === entry && t.name === name)
  expect(table, `${entry} ${name}`).toBeDefined()
  return table!
}

/**
 * The metrics of a column's values, computed plainly: two passes, NaN and infinities apart. Metrics are of
 * the values as doubles (JSON numbers); for 64-bit integers those doubles are summed exactly (as
 * bigints), since a mean rounded near 2^60 would add its error to the spread.
 */
function plainMetrics(values: (number | bigint)[], range?: 'ra' | 'dec'): ColumnMetrics {
  const numbers = values.map(Number)
  const finite = numbers.filter(Number.isFinite)
  const outside = range === 'ra' ? (v: number) => v < 0 || v >= 360 : (v: number) => v < -90 || v > 90
  let mean = finite.reduce((sum, v) => sum + v, 0) / finite.length
  let std = Math.sqrt(finite.reduce((sum, v) => sum + (v - mean) ** 2, 0) / finite.length)
  if (typeof values[0] === 'bigint') {
    const exact = numbers.map(BigInt)
    const n = BigInt(exact.length)
    const sum = exact.reduce((a, v) => a + v, 0n)
    const squares = exact.reduce((a, v) => a + v * v, 0n)
    mean = Number(sum) / exact.length
    std = Math.sqrt(Number(n * squares - sum * sum)) / exact.length
  }
  return {
    count: values.length,
    nulls: 0,
    nans: values.length - finite.length,
    min: Math.min(...finite),
    max: Math.max(...finite),
    mean,
    std,
    ...(range ? { outOfRange: finite.filter(outside).length } : {}),
  }
}

const close = (actual: number | undefined, expected: number | undefined) =>
  Math.abs(actual! - expected!) <= 1e-9 * Math.max(1, Math.abs(expected!))

describe('HDF5 tables in the table view', () => {
  it('records the tables: compound members with their offsets, groups of 1-D datasets with theirs', () => {
    const { reader } = packages.plain
    const rows = tableOf(reader, 'mixed.h5', '/rows')
    // numpy align=True: be_i2 starts at 2 (not 1), RA at 56 (not 53).
    expect(rows.columns.map((c) => `${c.name}:${c.type}@${c.fieldOffset}`)).toEqual([
      'i1:|i1@0',
      'be_i2:>i2@2',
      'u2:<u2@4',
      'be_u4:>u4@8',
      'i4:<i4@12',
      'be_i8:>i8@16',
      'u8:<u8@24',
      'be_f4:>f4@32',
      'be_f8:>f8@40',
      'label:|S5@48',
      'RA:<f8@56',
    ])
    const tycho = tableOf(reader, 'tycho2.h5', '/catalog')
    // h5py's offsets of the datasets (readers/test/fixtures/hdf5-layout/expected.json).
    expect(tycho).toMatchObject({ source: 'hdf5', rows: 20000, dataOffset: 2432 })
    expect(tycho.columns.map((c) => `${c.name}:${c.type}@${c.dataOffset}`)).toEqual([
      'dec:<f8@2432',
      'phot_vt_mag:<f4@168576',
      'ra:<f8@248576',
      'sweep:|u1@408576',
    ])
    // Groups whose 1-D datasets differ in length are no table (bigendian.h5 is not packed here, but the
    // root of default.h5 holds a 2-D image and a scalar beside /catalog).
    expect(reader.manifest.tables!.filter((t) => t.entry === 'default.h5').map((t) => t.name)).toEqual([
      '/catalog',
    ])
  })

  for (const name of ['plain', 'odd'] as const) {
    it.each(TABLES)(
      `%s %s (${name} chunks): every value is what h5wasm reads`,
      async (entry, table, selection) => {
        const { reader } = packages[name]
        const expected = await h5Columns(entry, selection)
        for (const column of tableOf(reader, entry, table).columns) {
          const want = expected.get(column.name)!
          const ref = { entry, table, column: column.name }
          if (Array.isArray(want[0])) {
            // A vector member: its values are refused as values, its bytes are the elements row by row.
            await expect(columnValues(reader, ref)).rejects.toMatchObject({ code: 'USAGE' })
            const parts: Uint8Array[] = []
            for await (const piece of readColumn(reader, ref)) parts.push(piece.bytes.slice())
            const bytes = Buffer.concat(parts)
            const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
            expect(Array.from(floats), column.name).toEqual(want.flat())
            continue
          }
          expect(await columnValues(reader, ref), `${entry} ${column.name}`).toEqual(want as ColumnValue[])
        }
      },
    )
  }

  for (const name of ['plain', 'odd'] as const) {
    it(`mixed.h5 /rows (${name} chunks): every 10th value of every column is what h5py reads`, async () => {
      const { reader } = packages[name]
      for (const column of tableOf(reader, 'mixed.h5', '/rows').columns) {
        const values = await columnValues(reader, { entry: 'mixed.h5', table: '/rows', column: column.name })
        const sampled = values.filter((_, row) => row % MIXED_ROWS.every === 0)
        expect(sampled, column.name).toEqual(h5pyValues(column.name, column.type))
        const metrics = column.metrics
        const want = MIXED_ROWS.metrics[column.name]
        if (want === undefined) expect(metrics, column.name).toBeUndefined()
        else {
          expect({ ...metrics, mean: 0, std: 0 }, column.name).toEqual({ ...want, mean: 0, std: 0 })
          expect(close(metrics!.mean, want.mean) && close(metrics!.std, want.std), column.name).toBe(true)
        }
      }
    })
  }

  it('reads a row range from the chunks holding it, values cut in two by chunks included', async () => {
    const { reader } = packages.odd
    const ref = { entry: 'mixed.h5', table: '/columns', column: 'id' }
    const all = await columnValues(reader, ref)
    const rows = [1000, 1100] as const
    // 100 values of 8 bytes: one or two chunks of 4099 bytes, not the column's four.
    expect(columnChunkIndexes(locateColumn(reader, ref), rows).length).toBeLessThanOrEqual(2)
    expect(columnChunkIndexes(locateColumn(reader, ref)).length).toBeGreaterThanOrEqual(3)
    expect(await columnValues(reader, { ...ref, rows })).toEqual(all.slice(...rows))
    expect(all[0]).toBe(2n ** 60n)
  })

  for (const name of ['plain', 'odd'] as const) {
    it(`records metrics of every numeric column that match a plain computation (${name} chunks)`, async () => {
      const { reader } = packages[name]
      for (const [entry, table, selection] of TABLES) {
        const expected = await h5Columns(entry, selection)
        for (const column of tableOf(reader, entry, table).columns) {
          const values = expected.get(column.name)!
          const where = `${entry} ${column.name}`
          if (typeof values[0] === 'string') {
            expect(column.metrics, where).toBeUndefined()
            continue
          }
          const range = /^ra$/i.test(column.name) ? 'ra' : column.name === 'dec' ? 'dec' : undefined
          const want = plainMetrics(values.flat() as (number | bigint)[], range)
          const got = column.metrics!
          expect(got, where).toBeDefined()
          expect({ ...got, mean: 0, std: 0 }, where).toEqual({ ...want, mean: 0, std: 0 })
          expect(close(got.mean, want.mean) && close(got.std, want.std), where).toBe(true)
        }
      }
      const rows = tableOf(reader, 'mixed.h5', '/rows').columns
      expect(rows.find((c) => c.name === 'RA')!.metrics!.outOfRange).toBeGreaterThan(0)
      expect(rows.find((c) => c.name === 'be_f8')!.metrics!.nans).toBe(1)
    })
  }

  it('unpacks every file byte for byte', async () => {
    const out = join(work, 'out')
    await unpackPackage({ packPath: packages.odd.path, outputPath: out })
    const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
    for (const file of readdirSync(input)) expect(sha(join(out, file)), file).toBe(sha(join(input, file)))
  })

  it('stores (N, 3) vectors component by component, and gives them back byte for byte', () => {
    const { reader } = packages.plain
    const rows = reader.segmentsOf(reader.entry('vectors.h5'))!.filter((s) => s.layout === 'rows')
    expect(rows.map((s) => s.layout === 'rows' && [s.rowWidth, s.rowCount, s.columns.length])).toEqual([
      [24, 20000, 3],
    ])
  })

  it('refuses a row range past the end of a group table', async () => {
    const { reader } = packages.plain
    const ref = { entry: 'tycho2.h5', column: 'ra' }
    const error = await columnValues(reader, { ...ref, rows: [0, 20001] }).catch((e: unknown) => e)
    expect(isAstropackError(error) && error.code).toBe('USAGE')
  })
})

describe('one column of an HDF5 group over HTTP', () => {
  let server: RangeServer
  let bytes: Uint8Array
  beforeAll(async () => {
    bytes = readFileSync(packages.plain.path)
    server = await serveRanges(bytes)
  })
  afterAll(() => server.close())

  it("reads the trailer, the index and the column's own chunks only", async () => {
    const remote = await openPackage(await openUrl(server.url()))
    const ref = { entry: 'tycho2.h5', column: 'ra' }
    const location = locateColumn(remote, ref)
    const stored = remote.storedBytes(columnChunkIndexes(location))
    server.reset()
    const values = await columnValues(remote, ref)
    expect(values).toEqual((await h5Columns('tycho2.h5', { group: '/catalog' })).get('ra'))
    // ra (160 kB of float64) is a chunk of its own: what is sent is that chunk.
    expect(server.sent).toBe(stored)
    expect(stored).toBeLessThan(tableOf(remote, 'tycho2.h5', '/catalog').rows! * 8)
  })
})

describe('export of HDF5 tables', () => {
  async function duck(sql: string): Promise<unknown[][]> {
    const db = await DuckDBInstance.create(':memory:')
    const connection = await db.connect()
    const rows = (await connection.runAndReadAll(sql)).getRowsJS()
    connection.closeSync()
    return rows
  }

  it.each(TABLES)(
    '%s %s: DuckDB reads our Parquet with the values h5wasm reads',
    async (entry, table, selection) => {
      const output = join(work, `${entry}${table.replaceAll('/', '_')}.parquet`)
      const result = await exportTable({
        packPath: packages.odd.path,
        outputPath: output,
        entry,
        table,
        to: 'parquet',
      })
      const expected = await h5Columns(entry, selection)
      expect(result).toMatchObject({ entry, name: table, columns: expected.size })
      const names = [...expected.keys()]
      const rows = await duck(
        `SELECT ${names.map((n) => `"${n}"`).join(', ')} FROM read_parquet('${output}')`,
      )
      expect(rows.length).toBe(result.rows)
      names.forEach((name, c) => {
        const want = expected.get(name)!.map((v) => (Array.isArray(v) ? v.map(Number) : v))
        const got = rows.map((row) => row[c])
        expect(got, name).toEqual(want)
      })
    },
  )

  it('mixed.h5 /rows: DuckDB reads our Parquet with the values h5py reads, big-endian members included', async () => {
    const output = join(work, 'mixed-rows.parquet')
    await exportTable({
      packPath: packages.odd.path,
      outputPath: output,
      entry: 'mixed.h5',
      table: '/rows',
      to: 'parquet',
    })
    const { reader } = packages.odd
    const columns = tableOf(reader, 'mixed.h5', '/rows').columns
    const rows = await duck(
      `SELECT ${columns.map((c) => `"${c.name}"`).join(', ')} FROM read_parquet('${output}', file_row_number = true) WHERE file_row_number % ${MIXED_ROWS.every} = 0 ORDER BY file_row_number`,
    )
    columns.forEach((column, c) => {
      expect(
        rows.map((row) => row[c]),
        column.name,
      ).toEqual(h5pyValues(column.name, column.type))
    })
  })

  it('writes a CSV of the group table that reads back as the same numbers', async () => {
    const output = join(work, 'tycho.csv')
    await exportTable({ packPath: packages.plain.path, outputPath: output, entry: 'tycho2.h5', to: 'csv' })
    const [header, ...lines] = readFileSync(output, 'latin1').trimEnd().split('\n')
    expect(header).toBe('dec,phot_vt_mag,ra,sweep')
    const expected = await h5Columns('tycho2.h5', { group: '/catalog' })
    expect(lines.map((line) => Number(line.split(',')[2]))).toEqual(expected.get('ra'))
  })
})
