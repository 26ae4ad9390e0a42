import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type RecordBatch, Table, tableFromIPC, tableToIPC } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import {
  bytesSource,
  fitsTableArrowSchema,
  fitsTableToArrow,
  readTableColumns,
  scanFits,
} from '../src/index.js'
import { bigEndian, binTableFile } from './helpers/build-fits.js'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')

async function open(name: string) {
  const source = bytesSource(readFileSync(join(fixtures, name)))
  return { source, scan: await scanFits(source) }
}

async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = []
  for await (const batch of batches) out.push(batch)
  return out
}

describe('fitsTableToArrow', () => {
  it('maps every FITS type to the Arrow type the brief asks for', async () => {
    const { scan } = await open('astropy-types.fits')
    const schema = fitsTableArrowSchema(scan.hdus[1]!)
    const types = Object.fromEntries(schema.fields.map((field) => [field.name, String(field.type)]))
    expect(types).toEqual({
      flag: 'Bool',
      flags: 'FixedSizeList[2]<Bool>',
      bits: 'FixedSizeList[12]<Bool>',
      ubyte: 'Uint8',
      sbyte: 'Int8',
      i16: 'Int16',
      u16: 'Uint16',
      u32: 'Uint32',
      u64: 'Uint64',
      i64: 'Int64',
      scaled: 'Float64',
      escaled: 'Float64',
      withnull: 'Int32',
      f32: 'Float32',
      vec: 'FixedSizeList[6]<Float64>',
      c: 'FixedSizeList[2]<FixedSizeList[2]<Float32>>',
      m: 'FixedSizeList[2]<Float64>',
      name: 'Utf8',
      words: 'FixedSizeList[3]<Utf8>',
      vla: 'List<Float64>',
      vlq: 'List<Int32>',
    })
    const f32 = schema.fields.find((field) => field.name === 'f32')!
    expect(Object.fromEntries(f32.metadata)).toEqual({
      unit: 'mag',
      ucd: 'phot.mag',
      description: 'a float column with NaN and -Inf',
      'fits.tform': 'E',
    })
    expect(schema.metadata.get('fits.extname')).toBe('TYPES')
  })

  it('produces the values the plain reader decodes, with nulls and unsigned values', async () => {
    const { source, scan } = await open('astropy-types.fits')
    const [batch] = await collect(fitsTableToArrow(source, scan.hdus[1]!))
    const rows = batch!.toArray().map((row) => row.toJSON())
    expect(rows.map((row) => row.flag)).toEqual([true, false, true])
    expect(rows.map((row) => row.sbyte)).toEqual([-128, 0, 127])
    expect(rows.map((row) => row.u16)).toEqual([0, 1, 65535])
    expect(rows.map((row) => row.u64)).toEqual([0n, 2n ** 63n, 2n ** 64n - 1n])
    expect(rows.map((row) => row.i64)).toEqual([-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n])
    expect(rows.map((row) => row.scaled)).toEqual([100, 101.5, 0])
    expect(rows.map((row) => row.withnull)).toEqual([1, null, 3])
    expect(rows.map((row) => row.name)).toEqual(['alpha', '', "it's ok"])
    expect(rows.map((row) => Array.from(row.words))).toEqual([
      ['ab', 'cde', ''],
      ['w', 'x', 'yz'],
      ['', '', 'last'],
    ])
    expect(rows.map((row) => Array.from(row.vla))).toEqual([[1, 2], [], [3]])
    expect(rows.map((row) => Array.from(row.bits)).at(0)).toEqual(
      [1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1].map(Boolean),
    )
    expect(Array.from(rows[0]!.c, (pair: Float32Array) => Array.from(pair))).toEqual([
      [1, 2],
      [3, -4],
    ])
    expect(batch!.getChild('withnull')!.nullCount).toBe(1)
  })

  it('streams row groups: batches of batchRows rows that add up to the table', async () => {
    const { source, scan } = await open('hst-cos-g130m-spectrum.fits')
    const hdu = scan.hdus[1]!
    const batches = await collect(fitsTableToArrow(source, hdu, { batchRows: 5000 }))
    expect(batches.map((batch) => batch.numRows)).toEqual([5000, 5000, 5000, 5000, 5000, 5000, 2042])
    const table = new Table(batches)
    const [wavelength] = await readTableColumns(source, hdu, { columns: ['WAVELENGTH'] })
    expect(table.getChild('WAVELENGTH')!.toArray()).toEqual(wavelength!.values)
    expect(table.schema.fields[0]!.metadata.get('unit')).toBe('ANGSTROM')
  })

  it('reads only the rows and columns asked for', async () => {
    const { source, scan } = await open('wmap7-W-iqu-nside32.fits')
    const batches = await collect(
      fitsTableToArrow(source, scan.hdus[1]!, { columns: ['Q_STOKES'], rowStart: 10, rowEnd: 12 }),
    )
    expect(batches).toHaveLength(1)
    expect(batches[0]!.schema.fields.map((field) => field.name)).toEqual(['Q_STOKES'])
    expect(batches[0]!.numRows).toBe(2)
    expect(String(batches[0]!.schema.fields[0]!.type)).toBe('FixedSizeList[1024]<Float32>')
  })

  it('turns variable-length arrays and ASCII tables into valid Arrow IPC', async () => {
    for (const [name, index] of [
      ['sdss-psField-003366-3-0110.fit', 1],
      ['hst-wfpc2-ascii-table.fits', 1],
      ['tycho2-ascii-table.fits', 1],
      ['goes15-xrs-20110607.fits', 2],
    ] as const) {
      const { source, scan } = await open(name)
      const table = new Table(await collect(fitsTableToArrow(source, scan.hdus[index]!)))
      const back = tableFromIPC(tableToIPC(table))
      expect(back.numRows).toBe(table.numRows)
      expect(back.schema.fields.map((field) => String(field.type))).toEqual(
        table.schema.fields.map((field) => String(field.type)),
      )
    }
  })

  it('uses the TTYPE comment as description when there is no TCOMM, and keeps TSCAL when not scaling', async () => {
    const { source, scan } = await open('tycho2-ascii-table.fits')
    const schema = fitsTableArrowSchema(scan.hdus[1]!)
    expect(String(schema.fields.find((field) => field.name === 'big')!.type)).toBe('Int64')
    expect(String(schema.fields.find((field) => field.name === 'sweep')!.type)).toBe('Int16')
    const { scan: types } = await open('astropy-types.fits')
    const raw = fitsTableArrowSchema(types.hdus[1]!, { scale: false })
    const scaled = raw.fields.find((field) => field.name === 'scaled')!
    expect(String(scaled.type)).toBe('Int32')
    expect(scaled.metadata.get('fits.tscal')).toBe('0.5')
    expect(scaled.metadata.get('fits.tzero')).toBe('100')
    expect(source.byteLength).toBeGreaterThan(0)
  })

  it('keeps zero-width columns as empty fixed-size lists', async () => {
    const rows = bigEndian(16, (view) => {
      view.setFloat64(0, 1.5)
      view.setFloat64(8, -2)
    })
    const bytes = binTableFile(
      [
        { form: '0J', name: 'none' },
        { form: 'D', name: 'x' },
        { form: '0A', name: 'nothing' },
      ],
      rows,
      {
        rowBytes: 8,
        rowCount: 2,
      },
    )
    const source = bytesSource(bytes)
    const scan = await scanFits(source)
    const [batch] = await collect(fitsTableToArrow(source, scan.hdus[1]!))
    expect(batch!.schema.fields.map((field) => String(field.type))).toEqual([
      'FixedSizeList[0]<Int32>',
      'Float64',
      'Utf8',
    ])
    expect(batch!.toArray().map((row) => [Array.from(row.none), row.x, row.nothing])).toEqual([
      [[], 1.5, ''],
      [[], -2, ''],
    ])
  })
})
