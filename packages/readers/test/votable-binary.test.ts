import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { type RecordBatch, Table } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import {
  type ByteSource,
  bytesSource,
  readVotableBatches,
  scanVotable,
  type VotableArrowOptions,
} from '../src/index.js'
import { plainCell } from './helpers/votable.js'

const dir = new URL('./fixtures/votable/', import.meta.url)

function fixture(name: string): Uint8Array {
  const bytes = readFileSync(new URL(name, dir))
  return name.endsWith('.gz') ? gunzipSync(bytes) : bytes
}

async function readTable(source: ByteSource, options: VotableArrowOptions = {}): Promise<Table> {
  const batches: RecordBatch[] = []
  for await (const batch of readVotableBatches(source, options)) batches.push(batch)
  return new Table(batches)
}

function rows(table: Table): unknown[][] {
  return [...Array(table.numRows).keys()].map((row) =>
    table.schema.fields.map((_, column) => plainCell(table.getChildAt(column)?.get(row))),
  )
}

interface Expected {
  tables: { fields: { name: string }[]; rows: unknown[][] }[]
}

describe('BINARY and BINARY2 read as astropy 5.2.1 reads them', () => {
  const names = [
    'all-types.tabledata.vot.xml',
    'all-types.binary.vot.xml',
    'all-types.binary2.vot.xml',
    'binary2-masked-strings.vot.xml',
  ]
  for (const name of names) {
    it(name, async () => {
      const expected = JSON.parse(readFileSync(new URL(`expected/${name}.json`, dir), 'utf8')) as Expected
      const source = bytesSource(fixture(name))
      const scan = await scanVotable(source)
      const tables = scan.tables.filter((table) => table.encoding !== undefined)
      expect(tables.length).toBe(expected.tables.length)
      for (const [t, table] of tables.entries()) {
        const want = expected.tables[t]
        // Small slices and batches: rows cross both boundaries.
        const arrow = await readTable(source, { table: table.index, batchRows: 2, sliceBytes: 97 })
        expect(arrow.schema.fields.map((field) => field.name)).toEqual(
          want?.fields.map((field) => field.name),
        )
        expect(rows(arrow)).toEqual(want?.rows)
      }
    })
  }

  it('the Gaia BINARY2 response: masked floats and strings are nulls', async () => {
    const table = await readTable(bytesSource(fixture('binary2-masked-strings.vot.xml')))
    expect(table.numRows).toBe(3)
    expect(table.getChild('source_id')?.get(0)).toBe(5966029325870896512n)
    expect(table.getChild('a_g_val')?.nullCount).toBe(3)
    expect(table.getChild('epoch_photometry_url')?.nullCount).toBe(3)
    expect(table.getChild('datalink_url')?.get(2)).toMatch(/ID=5966018231972730624$/)
  })
})

describe('one table written as TABLEDATA, BINARY and BINARY2 gives the same Arrow data', () => {
  it('every datatype, arrays, variable-size arrays and nulls', async () => {
    const [tabledata, binary, binary2] = await Promise.all(
      ['tabledata', 'binary', 'binary2'].map((encoding) =>
        readTable(bytesSource(fixture(`all-types.${encoding}.vot.xml`))),
      ),
    )
    const types = (table: Table | undefined) => table?.schema.fields.map((field) => `${field}`)
    expect(types(binary)).toEqual(types(tabledata))
    expect(types(binary2)).toEqual(types(tabledata))
    expect(tabledata?.numRows).toBe(7)
    expect(rows(binary as Table)).toEqual(rows(tabledata as Table))
    expect(rows(binary2 as Table)).toEqual(rows(tabledata as Table))
    // The nulls of each kind: VALUES null, NaN, masked boolean, empty and masked strings, masked array element.
    const row = (table: Table, name: string) =>
      rows(table).map((cells) => cells[table.schema.fields.findIndex((f) => f.name === name)])
    expect(row(binary2 as Table, 'int')).toEqual([0, null, 2147483647, -2147483647, 42, 5, 6])
    expect(row(binary as Table, 'flag')).toEqual([true, false, null, false, true, false, true])
    expect(row(binary as Table, 'name')).toEqual([
      'alpha',
      null,
      'with space',
      'x',
      'tab\tend',
      'plain',
      null,
    ])
    expect(row(binary2 as Table, 'ints3')[3]).toEqual([3, null, 3000])
    expect(row(binary as Table, 'bits')[3]).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ])
  })

  it('Tycho-2: 5,000 rows in 4 KiB slices, streamed, equal to the TABLEDATA rows', async () => {
    const tabledata = await readTable(bytesSource(fixture('tycho2-20000.vot.xml.gz')), { batchRows: 5000 })
    const first = tabledata.slice(0, 5000)
    for (const encoding of ['binary', 'binary2']) {
      const bytes = fixture(`tycho2-5000.${encoding}.vot.xml.gz`)
      let read = 0
      const counting: ByteSource = {
        byteLength: bytes.length,
        slice: async (start, end) => {
          read = end
          return bytes.subarray(start, end)
        },
      }
      const batches: RecordBatch[] = []
      const readWhenBatchOut: number[] = []
      for await (const batch of readVotableBatches(counting, { batchRows: 700, sliceBytes: 4096 })) {
        batches.push(batch)
        readWhenBatchOut.push(read)
      }
      // The first batch is handed out long before the stream has all been read.
      expect(readWhenBatchOut[0]).toBeLessThan(bytes.length / 5)
      expect(batches.map((batch) => batch.numRows)).toEqual([700, 700, 700, 700, 700, 700, 700, 100])
      const table = new Table(batches)
      expect(table.schema.fields.map((field) => `${field}`)).toEqual(
        first.schema.fields.map((field) => `${field}`),
      )
      for (const column of [0, 1, 2, 3]) {
        const got = table.getChildAt(column)?.toArray()
        const want = first.getChildAt(column)?.toArray()
        expect(got, `${encoding} column ${column}`).toEqual(want)
      }
    }
  })
})
