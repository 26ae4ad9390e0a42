import { readFileSync } from 'node:fs'
import { type RecordBatch, Table } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
// Built: the Parquet reader runs parquet-wasm in a worker thread, which loads compiled JavaScript.
import { readParquetBatches } from '../dist/index.js'
import { bytesSource, fitsTableToArrow, hdf5TableToArrow, readCsvTable, scanFits } from '../src/index.js'

// The first 20,000 rows of Tycho-2 as FITS, CSV, HDF5 and Parquet (see fixtures/same-catalog/README.md).
const here = (path: string) => new URL(path, import.meta.url).pathname
const FITS = here('./fixtures/same-catalog/tycho2-07-first20000.fits')
const CSV = here('./fixtures/same-catalog/tycho2-07-first20000.csv')
const PARQUET = here('./fixtures/same-catalog/tycho2-07-first20000.parquet')
const HDF5 = here('../../../fixtures/sample/tables/tycho2-07-first20000.h5')
const ROWS = 20_000

type Format = 'fits' | 'csv' | 'hdf5' | 'parquet'

/**
 * Each column's name in each format, spelled out: FITS TTYPE, CSV header, HDF5 dataset and Parquet column
 * happen to agree here, but a match by name alone would hide a reader that renamed a column.
 */
const COLUMNS: { names: Record<Format, string>; unit: string | undefined }[] = [
  { names: { fits: 'ra', csv: 'ra', hdf5: 'ra', parquet: 'ra' }, unit: 'deg' },
  { names: { fits: 'dec', csv: 'dec', hdf5: 'dec', parquet: 'dec' }, unit: 'deg' },
  {
    names: { fits: 'phot_vt_mag', csv: 'phot_vt_mag', hdf5: 'phot_vt_mag', parquet: 'phot_vt_mag' },
    unit: 'mag',
  },
  { names: { fits: 'sweep', csv: 'sweep', hdf5: 'sweep', parquet: 'sweep' }, unit: undefined },
]

async function collect(batches: AsyncIterable<RecordBatch>): Promise<Table> {
  const all: RecordBatch[] = []
  for await (const batch of batches) all.push(batch)
  return new Table(all)
}

async function readAll(): Promise<Record<Format, Table>> {
  const fitsSource = bytesSource(new Uint8Array(readFileSync(FITS)))
  const table = (await scanFits(fitsSource)).hdus.find((hdu) => hdu.type === 'BINTABLE')!
  return {
    fits: await collect(fitsTableToArrow(fitsSource, table, { batchRows: 7000 })),
    csv: await readCsvTable(bytesSource(new Uint8Array(readFileSync(CSV)))),
    hdf5: await collect(hdf5TableToArrow(HDF5, { group: '/catalog', batchRows: 6000 })),
    parquet: await collect(readParquetBatches(PARQUET)),
  }
}

/** Column `index` of COLUMNS in `format`, as JS numbers (sweep may be Uint8 or Int32). */
function values(tables: Record<Format, Table>, format: Format, index: number): number[] {
  const vector = tables[format].getChild(COLUMNS[index]!.names[format])
  if (vector === null) throw new Error(`${format} has no column ${COLUMNS[index]!.names[format]}`)
  return Array.from(vector, Number)
}

describe('one catalog read from FITS, CSV, HDF5 and Parquet', async () => {
  const tables = await readAll()

  it('has 20,000 rows and the four columns in every format', () => {
    for (const format of ['fits', 'csv', 'hdf5', 'parquet'] as const) {
      expect(tables[format].numRows, format).toBe(ROWS)
      expect(
        tables[format].schema.fields.map((field) => field.name),
        format,
      ).toEqual(expect.arrayContaining(COLUMNS.map((column) => column.names[format])))
    }
  })

  it('stores the same types in the binary formats: float64, float64, float32, uint8', () => {
    for (const format of ['fits', 'hdf5', 'parquet'] as const) {
      const types = COLUMNS.map((column) =>
        String(tables[format].schema.fields.find((f) => f.name === column.names[format])!.type),
      )
      expect(types, format).toEqual(['Float64', 'Float64', 'Float32', 'Uint8'])
    }
  })

  it('gives ra and dec as the same doubles, bit for bit, in all four', () => {
    for (const index of [0, 1]) {
      const fits = values(tables, 'fits', index)
      expect(fits.every(Number.isFinite)).toBe(true)
      // toEqual on numbers is Object.is per element: -0 and NaN would count as differences too.
      expect(values(tables, 'csv', index)).toEqual(fits)
      expect(values(tables, 'hdf5', index)).toEqual(fits)
      expect(values(tables, 'parquet', index)).toEqual(fits)
    }
  })

  it('gives the VT magnitude as the same float32 in FITS, HDF5 and Parquet, and the CSV decimal rounds to it', () => {
    const fits = values(tables, 'fits', 2)
    expect(values(tables, 'hdf5', 2)).toEqual(fits)
    expect(values(tables, 'parquet', 2)).toEqual(fits)
    expect(values(tables, 'csv', 2).map(Math.fround)).toEqual(fits)
    // The CSV holds short decimals (11.06), not the float32's full expansion (11.0600004196167).
    expect(values(tables, 'csv', 2)[0]).toBe(11.06)
    expect(fits[0]).toBe(Math.fround(11.06))
  })

  it('gives the same sweep integers in all four', () => {
    const fits = values(tables, 'fits', 3)
    expect(fits.every((value) => Number.isInteger(value) && value >= 0 && value < 256)).toBe(true)
    expect(new Set(fits).size).toBeGreaterThan(100)
    for (const format of ['csv', 'hdf5', 'parquet'] as const)
      expect(values(tables, format, 3), format).toEqual(fits)
  })

  it('carries the same units from FITS TUNITn and HDF5 attributes', () => {
    for (const format of ['fits', 'hdf5'] as const) {
      const units = COLUMNS.map((column) =>
        tables[format].schema.fields.find((f) => f.name === column.names[format])!.metadata.get('unit'),
      )
      expect(units, format).toEqual(COLUMNS.map((column) => column.unit))
    }
  })
})
