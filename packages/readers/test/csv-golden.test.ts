import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DataType, type Field, FixedSizeList, Table } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import {
  bytesSource,
  fitsTableToArrow,
  openFileSource,
  readCsvTable,
  scanCsv,
  scanFits,
} from '../src/index.js'
import { type Cell, csvText, sameCell, tableColumns } from './helpers/csv.js'

const here = dirname(fileURLToPath(import.meta.url))
const jplPath = join(here, '../../../fixtures/sample/tables/jpl-sbdb-asteroids.csv')

describe('csv golden: JPL SBDB asteroids (fixtures/sample/tables)', () => {
  const bytes = new Uint8Array(readFileSync(jplPath))

  it('infers the types, nulls and values', async () => {
    const table = await readCsvTable(bytesSource(bytes))
    expect(table.numRows).toBe(7099)
    const types = Object.fromEntries(table.schema.fields.map((field) => [field.name, String(field.type)]))
    expect(types).toEqual({
      full_name: 'Utf8',
      neo: 'Utf8', // Y/N, not T/F
      H: 'Float64',
      G: 'Float64',
      diameter: 'Float64',
      extent: 'Utf8',
      albedo: 'Float64',
      rot_per: 'Float64',
      orbit_id: 'Utf8', // 48, JPL 53, ...
      epoch_mjd: 'Int32',
      e: 'Float64',
      a: 'Float64',
      q: 'Float64',
      i: 'Float64',
      om: 'Float64',
      w: 'Float64',
      ma: 'Float64',
      per_y: 'Float64',
      moid: 'Float64',
      class: 'Utf8',
    })
    // Null counts as Python's csv module counts empty fields.
    const nulls = Object.fromEntries(
      table.schema.fields.map((field) => [field.name, table.getChild(field.name)!.nullCount]),
    )
    expect(nulls).toMatchObject({
      G: 6992,
      diameter: 4328,
      extent: 7091,
      albedo: 4329,
      rot_per: 4522,
      ma: 1,
      moid: 4,
    })
    expect(table.get(0)!.toJSON()).toMatchObject({
      full_name: '     1 Ceres (A801 AA)',
      H: 3.33,
      diameter: 939.4,
      extent: '964.4 x 964.2 x 891.8',
      albedo: 0.09,
      orbit_id: '48',
      epoch_mjd: 59800,
      e: 0.07863575691875528,
      class: 'MBA',
    })
    expect(table.get(7098)!.toJSON()).toMatchObject({
      full_name: '       (2022 OU15)',
      G: null,
      per_y: 166.69841363284,
    })
  })

  it('gives every field as a plain split of the lines gives it (the file has no quotes)', async () => {
    const table = await readCsvTable(bytesSource(bytes))
    const lines = new TextDecoder().decode(bytes).trimEnd().split('\n')
    const fields = lines.slice(1).map((line) => line.split(','))
    table.schema.fields.forEach((field, c) => {
      const column = table.getChildAt(c)!
      const float = DataType.isFloat(field.type)
      for (let row = 0; row < fields.length; row++) {
        const text = fields[row]![c]!
        const expected = text === '' ? null : float || DataType.isInt(field.type) ? Number(text) : text
        if (!Object.is(column.get(row), expected))
          expect([field.name, row, column.get(row)]).toEqual([field.name, row, expected])
      }
    })
  })

  it('reads the same from the file in tiny slices', async () => {
    const whole = tableColumns(await readCsvTable(bytesSource(bytes)))
    const file = await openFileSource(jplPath)
    try {
      expect(tableColumns(await readCsvTable(file, { sliceBytes: 1000, batchRows: 999 }))).toEqual(whole)
    } finally {
      await file.close()
    }
  })
})

/** The scalar columns of a FITS table as rows; WMAP's per-row pixel vectors unrolled into one row per pixel. */
async function fitsRows(path: string, hduIndex: number): Promise<{ fields: Field[]; rows: Cell[][] }> {
  const source = bytesSource(new Uint8Array(readFileSync(path)))
  const hdu = (await scanFits(source)).hdus[hduIndex]!
  const batches = []
  for await (const batch of fitsTableToArrow(source, hdu)) batches.push(batch)
  const table = new Table(batches)
  const fields = table.schema.fields
  if (fields.every((field) => field.type instanceof FixedSizeList)) {
    const columns = fields.map((field) => {
      const vector = table.getChild(field.name)!
      return Array.from({ length: table.numRows }, (_, row) => [
        ...(vector.get(row) as Iterable<number>),
      ]).flat()
    })
    const rows = columns[0]!.map((_, pixel) => columns.map((column) => column[pixel]!))
    return { fields, rows }
  }
  const scalar = fields.filter(
    (field) => !DataType.isList(field.type) && !(field.type instanceof FixedSizeList),
  )
  const rows = Array.from({ length: table.numRows }, (_, row) =>
    scalar.map((field) => table.getChild(field.name)!.get(row) as Cell),
  )
  return { fields: scalar, rows }
}

const fitsFixtures: [file: string, hdu: number][] = [
  ['../../../fixtures/sample/fits/wmap7-W-iqu-nside32.fits', 1],
  ['../../../fixtures/sample/fits/sdss-psField-003366-3-0110.fit', 8],
  ['../../../fixtures/sample/fits/sdss-psField-003366-3-0110.fit', 9],
  ['fixtures/tycho2-ascii-table.fits', 1],
  ['fixtures/astropy-types.fits', 1],
]

describe('csv golden: FITS fixture tables written as CSV read back value for value', () => {
  for (const [file, hdu] of fitsFixtures) {
    it(`${file.split('/').pop()} HDU ${hdu}`, async () => {
      const { fields, rows } = await fitsRows(join(here, file), hdu)
      const text = csvText(
        fields.map((field) => field.name),
        rows,
      )
      const table = await readCsvTable(bytesSource(new TextEncoder().encode(text)), { sliceBytes: 4096 })
      expect(table.numRows).toBe(rows.length)
      const columns = tableColumns(table)
      fields.forEach((field, c) => {
        // uint64 values beyond int64 make a text column.
        const text = DataType.isUtf8(table.schema.fields[c]!.type) && !DataType.isUtf8(field.type)
        for (let row = 0; row < rows.length; row++) {
          const fits = rows[row]![c]!
          const csv = columns[c]![row]!
          // An empty FITS string is an empty CSV field, which reads as null.
          const expected = fits === '' ? null : text && fits !== null ? String(fits) : fits
          if (!sameCell(csv, expected)) expect([field.name, row, csv]).toEqual([field.name, row, expected])
        }
      })
    })
  }

  it('keeps the FITS types where CSV can tell them', async () => {
    const { fields, rows } = await fitsRows(join(here, 'fixtures/astropy-types.fits'), 1)
    const text = csvText(
      fields.map((field) => field.name),
      rows,
    )
    const types = (await scanCsv(bytesSource(new TextEncoder().encode(text)))).columns.map(
      (c) => `${c.name}:${c.type}`,
    )
    expect(types).toEqual(
      expect.arrayContaining([
        'flag:bool',
        'i16:int32',
        'i64:int64',
        'u64:string',
        'f32:float64',
        'withnull:int32',
        'name:string',
      ]),
    )
  })
})

// The corpus holds the Hipparcos catalog as CSV and as FITS; tests run without it, so this skips then.
const corpus = process.env.ASTROPACK_CORPUS ?? '/work/corpus'
const hipparcos = (name: string) => join(corpus, 'edge', name)

describe.skipIf(!existsSync(hipparcos('hipparcos-kstars.csv')))(
  'csv golden: Hipparcos CSV against its FITS',
  () => {
    it('agrees column by column', { timeout: 60_000 }, async () => {
      const { fields, rows } = await fitsRows(hipparcos('hipparcos-kstars.fits'), 1)
      const csvFile = await openFileSource(hipparcos('hipparcos-kstars.csv'))
      const table = await readCsvTable(csvFile)
      await csvFile.close()
      expect(table.numRows).toBe(rows.length)
      fields.forEach((field, c) => {
        const column = table.getChild(field.name)!
        for (let row = 0; row < rows.length; row++) {
          const fits = rows[row]![c]!
          const csv = column.get(row) as Cell
          let same: boolean
          if (typeof fits !== 'number') same = csv === fits || (fits === '' && csv === null)
          else if (csv === null)
            same = Number.isNaN(fits) // the FITS file has NaN where the CSV is empty
          else if (String(field.type) === 'Float32') same = Object.is(Math.fround(Number(csv)), fits)
          else if (field.name === 'ra' || field.name === 'dec')
            same = Math.abs(Number(csv) - fits) <= 5e-11 // 10 decimals
          else same = Object.is(Number(csv), fits)
          if (!same) expect([field.name, row, csv]).toEqual([field.name, row, fits])
        }
      })
    })
  },
)
