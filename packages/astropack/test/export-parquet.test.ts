import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import { exportTable, packFolder } from 'astropack' // built: its workers run compiled JavaScript
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const READER_FIXTURES = fileURLToPath(new URL('../../readers/test/fixtures/', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'astropack-export-parquet-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

let packPath: string

beforeAll(async () => {
  const input = join(work, 'in')
  mkdirSync(input)
  copyFileSync(join(READER_FIXTURES, 'hst-cos-g130m-spectrum.fits'), join(input, 'hst.fits'))
  copyFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'), join(input, 'asteroids.csv'))
  packPath = join(work, 'tables.astropack')
  await packFolder({ sourcePath: input, outputPath: packPath, threads: 2 })
})

/** Each column's encodings and its row groups' row counts, as DuckDB reads the file's metadata. */
async function layout(path: string): Promise<{ encodings: Map<string, string>; groupRows: number[] }> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect()
  const columns = await connection.runAndReadAll(
    `SELECT path_in_schema, string_agg(DISTINCT encodings, ',') FROM parquet_metadata('${path}') GROUP BY 1`,
  )
  const groups = await connection.runAndReadAll(
    `SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('${path}') ORDER BY 1`,
  )
  connection.closeSync()
  return {
    encodings: new Map(columns.getRowsJS().map(([name, encodings]) => [String(name), String(encodings)])),
    groupRows: groups.getRowsJS().map((row) => Number(row[1])),
  }
}

describe('Parquet export encodings', () => {
  it('writes mostly distinct floats split into byte streams, without a dictionary', async () => {
    const output = join(work, 'hst.parquet')
    await exportTable({ packPath, outputPath: output, entry: 'hst.fits', to: 'parquet' })
    const { encodings, groupRows } = await layout(output)
    for (const column of ['WAVELENGTH', 'THROUGHPUT']) {
      expect(encodings.get(column), column).toContain('BYTE_STREAM_SPLIT')
      expect(encodings.get(column), column).not.toContain('DICTIONARY')
    }
    // 16-byte rows: 2 MiB row groups hold 131,072 rows, so the 32,042 rows make one.
    expect(groupRows).toEqual([32042])
  })

  it('keeps the dictionary for repetitive columns and drops it for unique strings', async () => {
    const output = join(work, 'asteroids.parquet')
    await exportTable({ packPath, outputPath: output, entry: 'asteroids.csv', to: 'parquet' })
    const { encodings } = await layout(output)
    expect(encodings.get('neo')).toContain('DICTIONARY') // Y or N
    expect(encodings.get('class')).toContain('DICTIONARY')
    expect(encodings.get('full_name')).not.toContain('DICTIONARY') // one per asteroid
  })
})
