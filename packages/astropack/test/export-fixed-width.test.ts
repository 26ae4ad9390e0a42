import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bytesSource, fitsTableToArrow, scanFits } from '@astropack/readers'
import { DuckDBInstance } from '@duckdb/node-api'
import { Table, tableFromIPC } from 'apache-arrow'
import { exportTable, format, packFolder } from 'astropack' // built: its workers run compiled JavaScript
import { beforeAll, describe, expect, it } from 'vitest'
import { openTableStream } from '../src/export/table-stream.js'
import { scratchFolder } from './round-trip.js'

const FIXED = fileURLToPath(new URL('../../readers/test/fixtures/fixed-width', import.meta.url))
const work = scratchFolder('astropack-export-fixed-width-')

/** IERS EOP C04: 14 header lines, then 800 days of 16 numbers, none with a space inside. */
const eop = readFileSync(join(FIXED, 'iers-eopc04-head.txt'), 'latin1')
const eopRows = eop.split('\n').slice(14, -1)
const eopValues = eopRows.map((line) => line.trim().split(/ +/).map(Number))
const eopNames: string[] = JSON.parse(readFileSync(join(FIXED, 'expected.json'), 'utf8'))[
  'iers-eopc04-head.txt'
].names
const eopTypes = eopNames.map((_, c) => (c < 4 ? 'INTEGER' : 'DOUBLE'))
/** KStars' star list: `#` comments, then stars, the brightest with `, name` after the fixed columns. */
const stars = readFileSync(join(FIXED, 'kstars-stars-head.dat'), 'latin1')
const starRows = stars.split('\n').filter((line) => line !== '' && !line.startsWith('#'))

let packPath: string

beforeAll(async () => {
  const input = join(work, 'in')
  mkdirSync(input)
  copyFileSync(join(FIXED, 'iers-eopc04-head.txt'), join(input, 'eop.txt'))
  copyFileSync(join(FIXED, 'kstars-stars-head.dat'), join(input, 'stars.dat'))
  // A footer ends the table: packing keeps it as bytes, and export leaves it out.
  writeFileSync(join(input, 'eop-footer.txt'), `${eop}END OF SERIES\n${eopRows[0]}\n`, 'latin1')
  packPath = join(work, 'fixed.astropack')
  await packFolder({ sourcePath: input, outputPath: packPath, threads: 2 })
})

/** DuckDB's rows of a query, numbers as numbers. */
async function duckRows(sql: string): Promise<unknown[][]> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect()
  const rows = (await connection.runAndReadAll(sql)).getRowsJS()
  connection.closeSync()
  return rows
}

const rowsOf = (table: Table) => table.toArray().map((row) => row.toArray() as unknown[])

describe('export of a fixed-width table', () => {
  it('writes Parquet that DuckDB reads with the values and types of the IERS series', async () => {
    const output = join(work, 'eop.parquet')
    const result = await exportTable({ packPath, outputPath: output, entry: 'eop.txt', to: 'parquet' })
    expect(result).toMatchObject({ entry: 'eop.txt', name: 'eop.txt', rows: 800, columns: 16 })
    const described = await duckRows(`DESCRIBE SELECT * FROM read_parquet('${output}')`)
    expect(described.map((row) => [row[0], row[1]])).toEqual(eopNames.map((name, c) => [name, eopTypes[c]]))
    expect(await duckRows(`SELECT * FROM read_parquet('${output}')`)).toEqual(eopValues)
  })

  it('writes CSV that DuckDB reads with the values of the IERS series', async () => {
    const output = join(work, 'eop.csv')
    await exportTable({ packPath, outputPath: output, entry: 'eop.txt', to: 'csv' })
    expect(readFileSync(output, 'utf8').split('\n')[0]).toBe(eopNames.join(','))
    // Every cell read as text, then cast: DuckDB parses the numbers, not a guess at their types.
    const casts = eopNames.map((name, c) => `CAST("${name}" AS ${eopTypes[c]})`).join(', ')
    const csv = `read_csv('${output}', header = true, all_varchar = true)`
    expect(await duckRows(`SELECT ${casts} FROM ${csv}`)).toEqual(eopValues)
  })

  it('writes Arrow IPC and FITS that read back with the same values', async () => {
    const arrow = join(work, 'eop.arrow')
    await exportTable({ packPath, outputPath: arrow, entry: 'eop.txt', to: 'arrow' })
    const ipc = tableFromIPC(readFileSync(arrow))
    expect(ipc.schema.fields.map(String)).toEqual(
      eopNames.map((name, c) => `${name}: ${c < 4 ? 'Int32' : 'Float64'}`),
    )
    expect(rowsOf(ipc)).toEqual(eopValues)
    const fits = join(work, 'eop.fits')
    await exportTable({ packPath, outputPath: fits, entry: 'eop.txt', to: 'fits' })
    const source = bytesSource(new Uint8Array(readFileSync(fits)))
    const batches = []
    for await (const batch of fitsTableToArrow(source, (await scanFits(source)).hdus[1]!)) batches.push(batch)
    expect(rowsOf(new Table(batches))).toEqual(eopValues)
  })

  it('leaves out the lines after the table', async () => {
    const output = join(work, 'eop-footer.parquet')
    const result = await exportTable({ packPath, outputPath: output, entry: 'eop-footer.txt', to: 'parquet' })
    expect(result).toMatchObject({ rows: 800, columns: 16 })
    expect(await duckRows(`SELECT * FROM read_parquet('${output}')`)).toEqual(eopValues)
  })

  it('writes the star list, its names kept as text in the last column', async () => {
    const output = join(work, 'stars.parquet')
    const result = await exportTable({ packPath, outputPath: output, entry: 'stars.dat', to: 'parquet' })
    expect(result).toMatchObject({ rows: starRows.length, columns: 5 })
    const rows = await duckRows(
      `SELECT RA, DEC, "b? dV vper, genetive name, long name" FROM read_parquet('${output}')`,
    )
    expect(rows).toEqual(
      starRows.map((line) => [Number(line.slice(0, 9)), Number(line.slice(10, 19)), line.slice(59).trim()]),
    )
    expect(rows[0]).toEqual([64508.92, -164258, '1            , alp CMa, Sirius'])
  })

  it('refuses a table the manifest lists otherwise than the file holds it (BAD_MANIFEST)', async () => {
    const reader = await format.openPackage(format.fromBytes(readFileSync(packPath)))
    const table = reader.manifest.tables!.find((candidate) => candidate.entry === 'eop.txt')!
    expect(table).toMatchObject({ source: 'fixed-width', rows: 800 })
    await expect(openTableStream(reader, { ...table, rows: 799 })).rejects.toMatchObject({
      code: 'BAD_MANIFEST',
    })
    await expect(openTableStream(reader, { ...table, dataOffset: 0 })).rejects.toMatchObject({
      code: 'BAD_MANIFEST',
    })
  })
})
