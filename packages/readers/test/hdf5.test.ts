import { readFileSync } from 'node:fs'
import { isAstropackError } from '@astropack/codecs'
import { type RecordBatch, Table } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { type Hdf5ArrowOptions, hdf5TableArrowSchema, hdf5TableToArrow, scanHdf5 } from '../src/index.js'

const fixture = (name: string) => new URL(`./fixtures/hdf5/${name}`, import.meta.url).pathname
const SAMPLE = new URL('../../../fixtures/sample/tables/tycho2-07-first20000.h5', import.meta.url).pathname
const ROWS = 200

/** The first 200 Tycho-2 rows from the same-catalog CSV: the values make-hdf5-fixtures.py wrote. */
const truth = readFileSync(
  new URL('./fixtures/same-catalog/tycho2-07-first20000.csv', import.meta.url),
  'utf8',
)
  .split('\n')
  .slice(1, ROWS + 1)
  .map((line) => line.split(','))
const ra = truth.map((fields) => Number(fields[0]))
const dec = truth.map((fields) => Number(fields[1]))
const mag = truth.map((fields) => Math.fround(Number(fields[2])))
const sweep = truth.map((fields) => Number(fields[3]))
const ids = truth.map((_, i) => BigInt(i) * 1_000_000_007n + 2n ** 40n)
const names = truth.map((_, i) => `TYC ${String(i).padStart(4, '0')}`)

async function readTable(
  path: string,
  options: Hdf5ArrowOptions,
): Promise<{ table: Table; batches: RecordBatch[] }> {
  const batches: RecordBatch[] = []
  for await (const batch of hdf5TableToArrow(path, options)) batches.push(batch)
  return { table: new Table(batches), batches }
}

const column = (table: Table, name: string) => [...table.getChild(name)!]

async function failure(action: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await action()
  } catch (error) {
    if (!isAstropackError(error)) throw error
    return { code: error.code, message: error.message }
  }
  throw new Error('expected a typed error')
}

describe('scanHdf5', () => {
  it('lists a compound dataset with its members, chunks, filters and attributes', async () => {
    const scan = await scanHdf5(fixture('compound.h5'))
    expect(scan.superblock).toEqual({ offset: 0, version: 0 })
    expect(scan.groups).toEqual([{ path: '/', attributes: { origin: 'AstroPack readers test fixture' } }])
    expect(scan.datasets.map((dataset) => dataset.path)).toEqual(['/counts', '/image', '/stars'])
    const stars = scan.datasets.find((dataset) => dataset.path === '/stars')!
    expect(stars.shape).toEqual([ROWS])
    expect(stars.chunks).toEqual([64])
    expect(stars.filters).toEqual([{ id: 1, name: 'deflate', parameters: [4] }])
    expect(stars.description).toBe('Tycho-2 stars as one compound dataset')
    expect(stars.type).toEqual({
      class: 'compound',
      size: 41,
      members: [
        { name: 'id', offset: 0, type: { class: 'integer', size: 8, signed: true, littleEndian: true } },
        { name: 'ra', offset: 8, type: { class: 'float', size: 8, littleEndian: true } },
        { name: 'dec', offset: 16, type: { class: 'float', size: 8, littleEndian: true } },
        { name: 'mag', offset: 24, type: { class: 'float', size: 4, littleEndian: true } },
        { name: 'sweep', offset: 28, type: { class: 'integer', size: 1, signed: false, littleEndian: true } },
        { name: 'name', offset: 29, type: { class: 'string', size: 12, variable: false, charset: 'ascii' } },
      ],
    })
    expect(scan.datasets.find((dataset) => dataset.path === '/image')!.shape).toEqual([3, 4])
  })

  it('reads unit, UCD and description attributes and the shuffle + deflate pipeline', async () => {
    const scan = await scanHdf5(fixture('gzip-shuffle.h5'))
    expect(scan.groups.map((group) => group.path)).toEqual(['/', '/catalog', '/catalog/extra'])
    const raDataset = scan.datasets.find((dataset) => dataset.path === '/catalog/ra')!
    expect(raDataset).toMatchObject({
      unit: 'deg',
      ucd: 'pos.eq.ra;meta.main',
      description: 'Right ascension',
    })
    expect(raDataset.filters.map((filter) => filter.name)).toEqual(['shuffle', 'deflate'])
    expect(scan.datasets.find((dataset) => dataset.path === '/catalog/extra/flux')!.filters).toEqual([
      { id: 3, name: 'fletcher32', parameters: [] },
    ])
  })

  it('scans the Tycho-2 sample of the repository', async () => {
    const scan = await scanHdf5(SAMPLE)
    const catalog = scan.groups.find((group) => group.path === '/catalog')!
    expect(catalog.attributes).toEqual({
      n_rows: 1871011n,
      reference: 'Hog et al. 2000, A&A 355, L27 (Tycho-2)',
    })
    expect(scan.datasets.map((dataset) => [dataset.path, dataset.shape[0], dataset.unit])).toEqual([
      ['/catalog/dec', 20000, 'deg'],
      ['/catalog/phot_vt_mag', 20000, 'mag'],
      ['/catalog/ra', 20000, 'deg'],
      ['/catalog/sweep', 20000, undefined],
    ])
  })
})

describe('hdf5TableToArrow', () => {
  it('reads a chunked, deflated compound dataset as a table, members as columns', async () => {
    const { table, batches } = await readTable(fixture('compound.h5'), { dataset: '/stars', batchRows: 64 })
    expect(batches.map((batch) => batch.numRows)).toEqual([64, 64, 64, 8])
    expect(table.schema.fields.map((field) => `${field.name}: ${field.type}`)).toEqual([
      'id: Int64',
      'ra: Float64',
      'dec: Float64',
      'mag: Float32',
      'sweep: Uint8',
      'name: Utf8',
    ])
    expect(column(table, 'id')).toEqual(ids)
    expect(column(table, 'ra')).toEqual(ra)
    expect(column(table, 'dec')).toEqual(dec)
    expect(column(table, 'mag')).toEqual(mag)
    expect(column(table, 'sweep')).toEqual(sweep)
    // Stored padded with spaces and NULs to 12 bytes; read trimmed.
    expect(column(table, 'name')).toEqual(names)
    expect(table.schema.metadata.get('hdf5.path')).toBe('/stars')
  })

  it('reads a group of shuffled + deflated datasets as a table, with unit, UCD and description', async () => {
    const columns = ['ra', 'dec', 'mag', 'id', 'name']
    const { table } = await readTable(fixture('gzip-shuffle.h5'), {
      group: 'catalog',
      columns,
      batchRows: 50,
    })
    expect(table.schema.fields.map((field) => field.name)).toEqual(columns)
    expect(column(table, 'ra')).toEqual(ra)
    expect(column(table, 'dec')).toEqual(dec)
    expect(column(table, 'mag')).toEqual(mag)
    expect(column(table, 'id')).toEqual(ids)
    expect(column(table, 'name')).toEqual(names)
    const raField = table.schema.fields[0]!
    expect(Object.fromEntries(raField.metadata)).toEqual({
      unit: 'deg',
      ucd: 'pos.eq.ra;meta.main',
      description: 'Right ascension',
      'hdf5.dataset': '/catalog/ra',
      'hdf5.type': '<f8',
    })
  })

  it('reads big-endian datasets and a big-endian compound to the same values', async () => {
    const group = (await readTable(fixture('big-endian.h5'), { group: '/table', batchRows: 77 })).table
    expect(column(group, 'id')).toEqual(ids)
    expect(column(group, 'ra')).toEqual(ra)
    expect(column(group, 'mag')).toEqual(mag)
    expect(column(group, 'sweep')).toEqual(sweep)
    expect(String(group.schema.fields.find((field) => field.name === 'sweep')!.type)).toBe('Int32')
    const rows = (await readTable(fixture('big-endian.h5'), { dataset: '/rows' })).table
    expect(column(rows, 'id')).toEqual(ids)
    expect(column(rows, 'ra')).toEqual(ra)
    expect(column(rows, 'mag')).toEqual(mag)
    expect(column(rows, 'flag')).toEqual(sweep.map((value) => value - 100))
  })

  it('reads fixed ASCII, fixed UTF-8 and variable-length UTF-8 strings', async () => {
    const { table } = await readTable(fixture('strings.h5'), { group: '/objects', batchRows: 64 })
    const words = ['Vega', 'Alnitak ζ Ori', '', 'Beteigeuze']
    const expected = Array.from({ length: ROWS }, (_, i) => words[i % 4])
    expect(column(table, 'fixed')).toEqual(names)
    expect(column(table, 'fixed_utf8')).toEqual(expected)
    expect(column(table, 'vlen')).toEqual(expected)
    expect(table.schema.fields.map((field) => String(field.type))).toEqual(['Utf8', 'Utf8', 'Utf8'])
  })

  it('reads a 2-D dataset as rows of fixed-size lists', async () => {
    const { table } = await readTable(fixture('compound.h5'), { dataset: 'image' })
    expect(String(table.schema.fields[0]!.type)).toBe('FixedSizeList[4]<Int16>')
    expect(column(table, 'image').map((row) => [...row])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ])
  })

  it('reads the Tycho-2 sample in batches of the default size', async () => {
    const { table, batches } = await readTable(SAMPLE, { group: '/catalog' })
    expect(batches).toHaveLength(1)
    expect(table.numRows).toBe(20000)
    expect(column(table, 'ra').slice(0, ROWS)).toEqual(ra)
  })

  it('gives the schema without reading rows', async () => {
    const schema = await hdf5TableArrowSchema(fixture('compound.h5'), {
      dataset: '/stars',
      columns: ['name', 'id'],
    })
    expect(schema.fields.map((field) => `${field.name}: ${field.type}`)).toEqual(['name: Utf8', 'id: Int64'])
  })

  it('refuses what it cannot read as a table, with typed errors', async () => {
    const read = (path: string, options: Hdf5ArrowOptions) => () => readTable(path, options)
    expect(await failure(read(fixture('compound.h5'), {}))).toMatchObject({ code: 'USAGE' })
    expect(await failure(read(fixture('compound.h5'), { group: '/', dataset: '/stars' }))).toMatchObject({
      code: 'USAGE',
    })
    expect(await failure(read(fixture('compound.h5'), { dataset: '/nothing' }))).toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(await failure(read(fixture('compound.h5'), { group: '/stars' }))).toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(
      await failure(read(fixture('compound.h5'), { dataset: '/stars', columns: ['ra', 'flux'] })),
    ).toEqual({
      code: 'NOT_FOUND',
      message: 'HDF5 compound.h5, /stars: no column flux',
    })
    // The root group holds datasets of 7 and 3 rows and a compound: no table.
    const mixed = await failure(read(fixture('compound.h5'), { group: '/' }))
    expect(mixed.code).toBe('UNSUPPORTED_FEATURE')
    expect(mixed.message).toMatch(/^HDF5 compound\.h5, \/image: 3 rows where the group's first dataset has 7/)
    expect(await failure(read(fixture('compound.h5'), { dataset: '/stars', batchRows: 0 }))).toMatchObject({
      code: 'USAGE',
    })
    expect(await failure(read(fixture('missing.h5'), { group: '/' }))).toMatchObject({ code: 'NOT_FOUND' })
  })
})

describe('booleans (h5py writes numpy bool as a 1-byte enum FALSE/TRUE)', () => {
  // What h5py wrote: the first 200 Tycho-2 rows' VT magnitude < 9, and sweep % 3 == 0.
  const bright = (mags: number[]) => mags.map((m) => Math.fround(m) < 9)

  it('reads them as Arrow Bool, in a group and as a compound member', async () => {
    const { table: sample } = await readTable(SAMPLE, { group: '/catalog' })
    const mags = column(sample, 'phot_vt_mag').slice(0, 200) as number[]
    const sweeps = column(sample, 'sweep').slice(0, 200) as number[]
    const { table } = await readTable(fixture('bool.h5'), { group: '/flags' })
    expect(String(table.schema.fields.find((f) => f.name === 'bright')!.type)).toBe('Bool')
    expect(column(table, 'bright')).toEqual(bright(mags))
    expect(column(table, 'third')).toEqual(sweeps.map((s) => s % 3 === 0))
    const { table: rows } = await readTable(fixture('bool.h5'), { dataset: '/rows' })
    expect(String(rows.schema.fields.find((f) => f.name === 'bright')!.type)).toBe('Bool')
    expect(column(rows, 'bright')).toEqual(bright(mags))
  })

  it('leaves other enums as their integers', async () => {
    const { table } = await readTable(fixture('bool.h5'), { dataset: '/colour' })
    expect(String(table.schema.fields[0]!.type)).toBe('Int8')
  })
})
