import { readFileSync } from 'node:fs'
import { isAstropackError } from '@astropack/codecs'
import type { RecordBatch } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
// Built: the Parquet reader runs parquet-wasm in a worker thread, which loads compiled JavaScript.
import {
  type ByteSource,
  bytesSource,
  parquetSchema,
  readParquetBatches,
  readParquetInfo,
} from '../dist/index.js'

// 20,000 Tycho-2 rows written by DuckDB in two row groups (see fixtures/same-catalog/README.md).
const PATH = new URL('./fixtures/same-catalog/tycho2-07-first20000.parquet', import.meta.url).pathname
const BYTES = new Uint8Array(readFileSync(PATH))

/** A ByteSource over the fixture that records every range asked of it. */
function countingSource(): ByteSource & { reads: [number, number][] } {
  const reads: [number, number][] = []
  const source = bytesSource(BYTES)
  return {
    reads,
    byteLength: source.byteLength,
    slice: (start, end) => {
      reads.push([start, end])
      return source.slice(start, end)
    },
  }
}

async function batchesOf(input: ByteSource | string, options = {}): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = []
  for await (const batch of readParquetBatches(input, options)) batches.push(batch)
  return batches
}

describe('readParquetInfo and parquetSchema', () => {
  it('read rows, row groups, writer and schema from the footer alone', async () => {
    const source = countingSource()
    const info = await readParquetInfo(source)
    expect(info.rows).toBe(20000)
    expect(info.rowGroups.map((group) => group.rows)).toEqual([10240, 9760])
    expect(info.rowGroups.every((group) => group.compressedBytes > 0 && group.uncompressedBytes > 0)).toBe(
      true,
    )
    expect(info.createdBy).toMatch(/^DuckDB version v1\.5\./)
    expect(info.schema.fields.map((field) => `${field.name}: ${field.type}`)).toEqual([
      'ra: Float64',
      'dec: Float64',
      'phot_vt_mag: Float32',
      'sweep: Uint8',
    ])
    // The magic, the tail and the footer: about 1 KB of a 360 KB file.
    const read = source.reads.reduce((sum, [start, end]) => sum + end - start, 0)
    expect(read).toBeLessThan(2000)
    expect(String(await parquetSchema(PATH))).toBe(String(info.schema))
  })
})

describe('readParquetBatches', () => {
  it('gives one batch per row group by default, from a path', async () => {
    const batches = await batchesOf(PATH)
    expect(batches.map((batch) => batch.numRows)).toEqual([10240, 9760])
    expect(batches[0]!.getChild('ra')!.get(0)).toBe(225.86558534045722)
    expect(batches[1]!.getChild('sweep')!.get(9759)).toBe(49)
  })

  it('cuts row groups into batches of batchRows, never across a row group', async () => {
    const batches = await batchesOf(bytesSource(BYTES), { batchRows: 4000 })
    expect(batches.map((batch) => batch.numRows)).toEqual([4000, 4000, 2240, 4000, 4000, 1760])
  })

  it('reads the chosen columns only, and one row group at a time from the source', async () => {
    const source = countingSource()
    const batches: RecordBatch[] = []
    const readsBefore: number[] = []
    for await (const batch of readParquetBatches(source, { columns: ['sweep', 'dec'] })) {
      readsBefore.push(source.reads.length)
      batches.push(batch)
    }
    expect(batches[0]!.schema.fields.map((field) => field.name)).toEqual(['dec', 'sweep'])
    // The second row group was fetched after the first batch was handed out.
    expect(readsBefore[1]).toBeGreaterThan(readsBefore[0]!)
    const read = source.reads.reduce((sum, [start, end]) => sum + end - start, 0)
    expect(read).toBeLessThan(BYTES.length)
  })

  it('refuses bad options and missing files with typed errors', async () => {
    const codeOf = async (action: () => Promise<unknown>) => {
      try {
        await action()
      } catch (error) {
        return isAstropackError(error) ? error.code : `untyped: ${error}`
      }
      return 'no error'
    }
    expect(await codeOf(() => batchesOf(PATH, { batchRows: 0 }))).toBe('USAGE')
    expect(await codeOf(() => batchesOf(`${PATH}.missing`))).toBe('NOT_FOUND')
    expect(await codeOf(() => batchesOf(PATH, { columns: ['ra', 'nope'] }))).toBe('NOT_FOUND')
  })
})
