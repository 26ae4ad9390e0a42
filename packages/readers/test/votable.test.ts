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
  votableArrowSchema,
} from '../src/index.js'
import { plainCell } from './helpers/votable.js'

const dir = new URL('./fixtures/votable/', import.meta.url)

function fixture(name: string): Uint8Array {
  const bytes = readFileSync(new URL(name, dir))
  return name.endsWith('.gz') ? gunzipSync(bytes) : bytes
}

async function readAll(source: ByteSource, options: VotableArrowOptions = {}): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = []
  for await (const batch of readVotableBatches(source, options)) batches.push(batch)
  return batches
}

interface Expected {
  tables: {
    name: string | null
    ID: string | null
    fields: { name: string; datatype: string }[]
    rows: unknown[][]
  }[]
}

describe('VOTable fixtures read as astropy 5.2.1 reads them', () => {
  for (const name of ['irsa-m31.vot.xml', 'regression-1.3.vot.xml', 'gemini-datalink.vot.xml']) {
    it(name, async () => {
      const expected = JSON.parse(readFileSync(new URL(`expected/${name}.json`, dir), 'utf8')) as Expected
      const source = bytesSource(fixture(name))
      const scan = await scanVotable(source)
      const tables = scan.tables.filter((table) => table.encoding === 'TABLEDATA')
      expect(tables.map((table) => table.fields.map((field) => field.name))).toEqual(
        expected.tables.slice(0, tables.length).map((table) => table.fields.map((field) => field.name)),
      )
      for (const [t, table] of tables.entries()) {
        const want = expected.tables[t]
        const batches = await readAll(source, { table: table.index, batchRows: 2 })
        const arrow = new Table(votableArrowSchema(table), batches)
        expect(arrow.numRows).toBe(want?.rows.length)
        expect(table.rowCount).toBe(want?.rows.length)
        const rows = [...Array(arrow.numRows).keys()].map((row) =>
          arrow.schema.fields.map((_, column) => plainCell(arrow.getChildAt(column)?.get(row))),
        )
        expect(rows).toEqual(want?.rows)
      }
    })
  }

  it('scans metadata: units, UCDs, descriptions, null sentinels, refs, params, encodings', async () => {
    const scan = await scanVotable(bytesSource(fixture('regression-1.3.vot.xml')))
    expect(scan.version).toBe('1.3')
    expect(scan.description).toMatch(/^The VOTable format is an XML standard/)
    expect(scan.params.map((param) => [param.name, param.value, param.unit])).toEqual([
      ['wrong_arraysize', '', undefined],
      ['INPUT', '0 0', 'km.h-1'],
    ])
    expect(scan.resources.map((r) => [r.index, r.type, r.parent, r.description])).toEqual([
      [0, 'results', undefined, 'This is a resource description'],
      [1, 'results', 0, undefined],
    ])
    const [main, referenced, last] = scan.tables
    expect(main).toMatchObject({ ID: 'main_table', description: 'This describes the table.', resource: 0 })
    expect(main?.fields.find((field) => field.name === 'int')).toEqual({
      name: 'int',
      ID: 'int',
      datatype: 'int',
      utype: 'myint',
      nullValue: '123456789',
    })
    // <VALUES ref="int_nulls"/> takes the null of the VALUES with that ID.
    expect(main?.fields.find((field) => field.name === 'long')?.nullValue).toBe('123456789')
    expect(referenced).toMatchObject({ ref: 'main_table', resource: 1, encoding: 'TABLEDATA', rowCount: 1 })
    expect(referenced?.fields).toBe(main?.fields)
    expect([last?.ID, last?.encoding, last?.rowCount]).toEqual(['last_table', undefined, undefined])

    const binary = await scanVotable(bytesSource(fixture('binary2-masked-strings.vot.xml')))
    expect(binary.tables[0]?.encoding).toBe('BINARY2')
    expect(binary.tables[0]?.fields[0]).toMatchObject({
      name: 'source_id',
      datatype: 'long',
      ucd: 'meta.id',
      description: 'Unique source identifier (unique within a particular Data Release)',
    })
  })

  it('gives Arrow types and field metadata from datatype and arraysize', async () => {
    const scan = await scanVotable(bytesSource(fixture('regression-1.3.vot.xml')))
    const schema = votableArrowSchema(scan.tables[0] as never)
    const types = Object.fromEntries(schema.fields.map((field) => [field.name, String(field.type)]))
    expect(types).toMatchObject({
      'string test': 'Utf8',
      'fixed string test': 'Utf8',
      unsignedByte: 'Uint8',
      short: 'Int16',
      int: 'Int32',
      long: 'Int64',
      float: 'Float32',
      double: 'Float64',
      array: 'List<Int64>',
      bit: 'Bool',
      bitarray: 'FixedSizeList[6]<Bool>',
      floatComplex: 'FixedSizeList[2]<Float32>',
      doubleComplexArray: 'List<FixedSizeList[2]<Float64>>',
      doubleComplexArrayFixed: 'FixedSizeList[2]<FixedSizeList[2]<Float64>>',
      booleanArray: 'FixedSizeList[4]<Bool>',
    })
    const int = schema.fields.find((field) => field.name === 'int')
    expect(Object.fromEntries(int?.metadata ?? [])).toEqual({
      'votable.utype': 'myint',
      'votable.datatype': 'int',
      'votable.ID': 'int',
    })
    const irsa = await scanVotable(bytesSource(fixture('irsa-m31.vot.xml')))
    const ra = votableArrowSchema(irsa.tables[0] as never).fields[0]
    expect(ra?.metadata.get('unit')).toBe('deg')
    expect(ra?.metadata.get('ucd')).toBe('POS_EQ_RA_MAIN')
  })

  it('picks a table by index, name or ID, and names a missing one', async () => {
    const source = bytesSource(fixture('regression-1.3.vot.xml'))
    expect((await readAll(source, { table: 'main_table' }))[0]?.numRows).toBe(5)
    expect((await readAll(source, { table: 1 }))[0]?.numRows).toBe(1)
    expect(await readAll(source, { table: 'last_table' })).toEqual([])
    await expect(readAll(source, { table: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(readAll(source, { table: 3 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('reads BINARY2 data (binary2-masked-strings.vot.xml: votable-binary.test.ts checks its values)', async () => {
    const batches = await readAll(bytesSource(fixture('binary2-masked-strings.vot.xml')))
    expect(batches.map((batch) => batch.numRows)).toEqual([3])
  })
})

describe('Tycho-2: 20,000 rows astropy wrote as a VOTable, value for value against the CSV', () => {
  it('reads every row as the CSV has it', async () => {
    const csv = new TextDecoder().decode(fixture('tycho2-20000.csv.gz')).trim().split('\n')
    expect(csv[0]).toBe('ra,dec,phot_vt_mag,sweep')
    const source = bytesSource(fixture('tycho2-20000.vot.xml.gz'))
    const scan = await scanVotable(source, { sliceBytes: 100_000 })
    expect(scan.tables[0]?.rowCount).toBe(20_000)
    const batches = await readAll(source, { batchRows: 3000, sliceBytes: 65_536 })
    expect(batches.map((batch) => batch.numRows)).toEqual([3000, 3000, 3000, 3000, 3000, 3000, 2000])
    const table = new Table(batches)
    expect(
      table.schema.fields.map((field) => [field.name, String(field.type), field.metadata.get('unit')]),
    ).toEqual([
      ['ra', 'Float64', 'deg'],
      ['dec', 'Float64', 'deg'],
      ['phot_vt_mag', 'Float64', 'mag'],
      ['sweep', 'Int64', undefined],
    ])
    const [ra, dec, mag, sweep] = [0, 1, 2, 3].map((i) => table.getChildAt(i)?.toArray())
    for (let row = 0; row < 20_000; row++) {
      const [r, d, m, s] = (csv[row + 1] as string).split(',')
      if (
        ra?.[row] !== Number(r) ||
        dec?.[row] !== Number(d) ||
        mag?.[row] !== Number(m) ||
        sweep?.[row] !== BigInt(s as string)
      ) {
        expect([ra?.[row], dec?.[row], mag?.[row], sweep?.[row]], `row ${row + 1}`).toEqual([r, d, m, s])
      }
    }
  })
})
