import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bytesSource, fitsTableToArrow, readCsvTable, scanFits } from '@astropack/readers'
import { DataType, Table, type Vector } from 'apache-arrow'
import { exportTable, isAstropackError, packFolder } from 'astropack' // built: its workers run compiled JavaScript
import h5wasm from 'h5wasm/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repeatTypesTable } from './fits-fixtures.js'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const READER_FIXTURES = fileURLToPath(new URL('../../readers/test/fixtures/', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'astropack-export-hdf5-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** [entry, HDU, group]: 100A strings and 1J, three 1024E vectors, two D columns. */
const TABLES: [string, number, string][] = [
  ['sdss-psField-003366-3-0110.fit', 9, 'HDU 9'],
  ['wmap7-W-iqu-nside32.fits', 1, 'xtension'],
  ['hst-cos-g130m-spectrum.fits', 1, 'HDU 1'],
]
const CSV = 'jpl-sbdb-asteroids.csv'
/** Binary data in a 12A column, bytes 0x00-0xFF (see fixtures/fits/README.md). */
const INDEX_HEAD = 'astrometry-index-head.fits'
const FIXTURES = fileURLToPath(new URL('./fixtures/fits/', import.meta.url))
/** Nulls in every type; `low` uses the least int32, so its free value must be the greatest. */
const NULLS_CSV = `n,low,flag,name,x\n${'1,-2147483648,true,a,1.5\n,5,false,,\n3,,,b c,2\n'.repeat(2000)}` // over 64 KiB: stored as a table

let input: string
let packPath: string

beforeAll(async () => {
  await h5wasm.ready
  input = join(work, 'in')
  mkdirSync(input)
  copyFileSync(join(SAMPLE, 'fits/sdss-psField-003366-3-0110.fit'), join(input, TABLES[0]![0]))
  copyFileSync(join(SAMPLE, 'fits/wmap7-W-iqu-nside32.fits'), join(input, TABLES[1]![0]))
  copyFileSync(join(READER_FIXTURES, 'hst-cos-g130m-spectrum.fits'), join(input, TABLES[2]![0]))
  writeFileSync(join(input, 'types.fits'), await repeatTypesTable(200))
  copyFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'), join(input, CSV))
  copyFileSync(join(FIXTURES, INDEX_HEAD), join(input, INDEX_HEAD))
  writeFileSync(join(input, 'nulls.csv'), NULLS_CSV)
  packPath = join(work, 'tables.astropack')
  await packFolder({ sourcePath: input, outputPath: packPath, chunkSize: 16 * 1024, threads: 2 })
})

async function sourceTable(entry: string, index: number): Promise<Table> {
  const source = bytesSource(new Uint8Array(readFileSync(join(input, entry))))
  const batches = []
  for await (const batch of fitsTableToArrow(source, (await scanFits(source)).hdus[index]!))
    batches.push(batch)
  return new Table(batches)
}

/** A column's values flattened row by row (vectors inline), as HDF5 stores a 2-D dataset. */
function flat(column: Vector): unknown[] {
  const out: unknown[] = []
  for (const value of column) {
    if (value !== null && typeof value === 'object' && Symbol.iterator in value) out.push(...value)
    else out.push(value)
  }
  return out
}

interface ReadBack {
  names: string[]
  values: Map<string, unknown[]>
  shapes: Map<string, number[]>
  attributes: Map<string, Record<string, unknown>>
}

function readHdf5(path: string, group: string): ReadBack {
  const file = new h5wasm.File(path, 'r')
  try {
    const node = file.get(group) as InstanceType<typeof h5wasm.Group>
    const names = node.keys()
    const read: ReadBack = { names, values: new Map(), shapes: new Map(), attributes: new Map() }
    for (const name of names) {
      const dataset = node.get(name) as InstanceType<typeof h5wasm.Dataset>
      read.values.set(name, Array.from(dataset.value as Iterable<unknown>))
      read.shapes.set(name, dataset.shape!)
      const attributes: Record<string, unknown> = {}
      for (const key of Object.keys(dataset.attrs)) attributes[key] = dataset.attrs[key]!.value
      read.attributes.set(name, attributes)
    }
    return read
  } finally {
    file.close()
  }
}

describe('export to HDF5', () => {
  it.each(TABLES)(
    '%s HDU %i: h5wasm reads back every value of the source table',
    async (entry, index, group) => {
      const output = join(work, `${entry}.h5`)
      const result = await exportTable({ packPath, outputPath: output, entry, table: index, to: 'hdf5' })
      const source = await sourceTable(entry, index)
      expect(result).toMatchObject({ rows: source.numRows, columns: source.numCols })
      const read = readHdf5(output, group)
      expect(read.names).toEqual(source.schema.fields.map((field) => field.name)) // column order kept
      source.schema.fields.forEach((field, c) => {
        const column = source.getChildAt(c)!
        expect(read.shapes.get(field.name)![0]).toBe(source.numRows)
        expect(read.values.get(field.name), field.name).toEqual(flat(column))
        const unit = field.metadata.get('unit')
        if (unit !== undefined) expect(read.attributes.get(field.name)).toMatchObject({ unit })
      })
      expect(readdirSync(work).filter((name) => name.includes('.partial'))).toEqual([])
    },
  )

  it('keeps whole the strings with characters from U+0080 up (bytes 0x80-0xFF of a FITS nA column)', async () => {
    const output = join(work, 'index-head.h5')
    await exportTable({ packPath, outputPath: output, entry: INDEX_HEAD, table: 1, to: 'hdf5' })
    const source = await sourceTable(INDEX_HEAD, 1)
    const strings = flat(source.getChildAt(0)!) as string[]
    // h5wasm writes UTF-8, two bytes for each of these: wider than the 12 bytes of the FITS field.
    expect(Math.max(...strings.map((text) => Buffer.byteLength(text)))).toBeGreaterThan(12)
    expect(readHdf5(output, 'HDU 1').values.get('kdtree_data_stars')).toEqual(strings)
  })

  it.each([
    [CSV, 0],
    ['nulls.csv', 2],
  ])('%s: NaN, empty strings, -1 logicals and a free _FillValue for the nulls', async (entry, fills) => {
    const output = join(work, `${entry}.h5`)
    await exportTable({ packPath, outputPath: output, entry, to: 'hdf5' })
    const csv = await readCsvTable(bytesSource(new Uint8Array(readFileSync(join(input, entry)))))
    const read = readHdf5(output, entry)
    expect(read.names).toEqual(csv.schema.fields.map((field) => field.name))
    let filled = 0
    csv.schema.fields.forEach((field, c) => {
      const column = csv.getChildAt(c)!
      const fill = read.attributes.get(field.name)!._FillValue as number | undefined
      if (DataType.isInt(field.type) && column.nullCount > 0) {
        expect(fill, field.name).toBeTypeOf('number')
        expect(flat(column), field.name).not.toContain(fill) // the fill value is free
        filled++
      }
      const nullAs = DataType.isFloat(field.type) ? Number.NaN : DataType.isUtf8(field.type) ? '' : fill
      const expected = flat(column).map((value) =>
        typeof value === 'boolean' ? Number(value) : (value ?? nullAs),
      )
      expect(read.values.get(field.name), field.name).toEqual(expected)
    })
    expect(filled).toBe(fills)
    if (entry === 'nulls.csv') {
      expect(read.attributes.get('low')!._FillValue).toBe(2147483647)
      expect(read.values.get('flag')!.slice(0, 3)).toEqual([1, 0, -1])
    }
  })

  it('h5dump reads the same numbers', async (context) => {
    const [entry, index, group] = TABLES[2]!
    const output = join(work, 'h5dump.h5')
    await exportTable({ packPath, outputPath: output, entry, table: index, to: 'hdf5' })
    const run = spawnSync('h5dump', ['-m', '%.17g', '-w', '0', '-d', `/${group}/WAVELENGTH`, output], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    })
    if (run.error) return context.skip('h5dump is not installed (Debian: apt-get install hdf5-tools)')
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toContain('H5T_IEEE_F64LE')
    const start = run.stdout.indexOf('DATA {')
    const data = run.stdout.slice(start, run.stdout.indexOf('}', start)) // the dataset's, not an attribute's
    const numbers = [...data.matchAll(/\(\d+\): ([^\n]*)/g)].flatMap((line) =>
      line[1]!
        .split(',')
        .filter((text) => text.trim() !== '') // a line ends with a comma when the data goes on
        .map(Number),
    )
    const expected = flat((await sourceTable(entry, index)).getChild('WAVELENGTH')!)
    expect(numbers).toEqual(expected)
  })

  it('refuses variable-length arrays with a USAGE error and leaves no file', async () => {
    const output = join(work, 'types.h5')
    const error = await exportTable({ packPath, outputPath: output, entry: 'types.fits', to: 'hdf5' }).catch(
      (caught: unknown) => caught,
    )
    expect(isAstropackError(error) && error.code).toBe('USAGE')
    expect(String((error as Error).message)).toContain('variable-length')
    expect(
      readdirSync(work).filter((name) => name.startsWith('types.h5') || name.includes('types.h5.')),
    ).toEqual([])
  })
})
