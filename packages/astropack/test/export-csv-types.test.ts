import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bytesSource, scanCsv, scanFits } from '@astropack/readers'
import { tableFromIPC } from 'apache-arrow'
import { exportTable, format, packFolder } from 'astropack' // built: its workers run compiled JavaScript
import { beforeAll, describe, expect, it } from 'vitest'
import { openTableStream } from '../src/export/table-stream.js'
import { scratchFolder } from './round-trip.js'

/**
 * A CSV table whose manifest types every column is exported in one pass, in those types: the same Arrow
 * schema and rows as the CSV reader's own two passes give, rows counted as they are read (blank lines are
 * none), and a type the text does not fit stops the export with a typed error.
 */

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const work = scratchFolder('astropack-export-csv-types-')
const ASTEROIDS = 'asteroids.csv'
/**
 * Two blank lines among 2,000 rows (its group is kept raw and its lines counted, but the reader skips it), and
 * no newline after the last row, which packing stores as plain bytes.
 */
const GAPPED = 'gapped.csv'
const GAPPED_ROWS = Array.from({ length: 2000 }, (_, n) => ({ n, x: n === 1999 ? 6000 : n + 0.5 }))
const GAPPED_TEXT = `n,x\n${GAPPED_ROWS.map(({ n, x }, i) => `${i === 1000 ? '\n\n' : ''}${n},${n === 1999 ? '6e3' : x}`).join('\n')}`

/** Blank lines after the last row (LF and CR LF), as editors and scripts leave them. */
const TRAILING = 'trailing.csv'
const TRAILING_TEXT = `a,b\r\n${Array.from({ length: 3000 }, (_, n) => `${n},${n / 4}`).join('\r\n')}\r\n\r\n\r\n`

let reader: format.PackageReader
let packPath: string

beforeAll(async () => {
  const input = join(work, 'in')
  mkdirSync(input)
  copyFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'), join(input, ASTEROIDS))
  writeFileSync(join(input, GAPPED), GAPPED_TEXT)
  writeFileSync(join(input, TRAILING), TRAILING_TEXT)
  packPath = join(work, 'csv.astropack')
  await packFolder({ sourcePath: input, outputPath: packPath, threads: 2 })
  reader = await format.openPackage(format.fromBytes(readFileSync(packPath)))
})

const tableOf = (entry: string) => reader.manifest.tables!.find((table) => table.entry === entry)!

/** Every batch of a stream, as one Arrow table's rows. */
async function rowsOf(entry: string, table = tableOf(entry)) {
  const stream = await openTableStream(reader, table)
  const rows: unknown[] = []
  for await (const batch of stream.batches) rows.push(...batch.toArray().map((row) => row.toJSON()))
  return { stream, rows }
}

describe('export of a CSV table the manifest types', () => {
  it('reads the rows once, in the types the reader infers over two passes', async () => {
    const typed = await rowsOf(ASTEROIDS)
    expect(typed.stream.rowCount).toBeUndefined() // no first pass
    const untyped = tableOf(ASTEROIDS)
    const scanned = await rowsOf(ASTEROIDS, {
      ...untyped,
      columns: untyped.columns.map(({ type: _, ...column }) => column),
    })
    expect(scanned.stream.rowCount).toBe(7099)
    expect(typed.stream.schema.fields.map(String)).toEqual(scanned.stream.schema.fields.map(String))
    expect(typed.rows).toEqual(scanned.rows)
  })

  it('counts the rows as read: a blank line is none, an unended last line is one', async () => {
    const table = tableOf(GAPPED)
    expect(table.columns.map((column) => column.type)).toEqual(['int32', 'float64'])
    expect(table.rows).toBe(2000) // the reader's records: no blank line, the unended last line
    // Measured from the records, the group kept whole (blank lines) and the last line alike.
    expect(table.columns.map((column) => column.metrics)).toMatchObject([
      { count: 2000, nulls: 0, nans: 0, min: 0, max: 1999 },
      { count: 2000, nulls: 0, nans: 0, min: 0.5, max: 6000 },
    ])
    const original = await scanCsv(bytesSource(new TextEncoder().encode(GAPPED_TEXT)))
    expect(original.rowCount).toBe(2000)
    for (const to of ['arrow', 'fits'] as const) {
      const outputPath = join(work, `gapped.${to}`)
      expect(await exportTable({ packPath, outputPath, entry: GAPPED, to })).toMatchObject({ rows: 2000 })
    }
    expect(
      tableFromIPC(readFileSync(join(work, 'gapped.arrow')))
        .toArray()
        .map((row) => row.toJSON()),
    ).toEqual(GAPPED_ROWS)
    const fits = await scanFits(bytesSource(new Uint8Array(readFileSync(join(work, 'gapped.fits')))))
    expect(fits.hdus[1]?.header.byKeyword.get('NAXIS2')?.value).toBe(2000)
  })

  it('leaves blank lines after the last row out of the table, whose groups stay typed', async () => {
    const table = tableOf(TRAILING)
    expect(table).toMatchObject({ rows: 3000 })
    // Metrics are measured from typed column chunks only: a group kept whole (raw) has none.
    expect(table.columns.map((column) => column.metrics?.count)).toEqual([3000, 3000])
    expect((await rowsOf(TRAILING)).rows).toHaveLength(3000)
  })

  it('stops with CSV_TYPE_MISMATCH where the text does not fit a type the manifest gives', async () => {
    const table = tableOf(ASTEROIDS)
    const wrong = {
      ...table,
      columns: table.columns.map((c) => (c.name === 'full_name' ? { ...c, type: 'int64' } : c)),
    }
    await expect(rowsOf(ASTEROIDS, wrong)).rejects.toMatchObject({ code: 'CSV_TYPE_MISMATCH' })
  })
})
