import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RecordBatch } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { bytesSource, ecsvArrowSchema, readEcsvBatches, scanEcsv } from '../src/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixture = (name: string) => new Uint8Array(readFileSync(join(here, 'fixtures/ecsv', name)))

async function readAll(bytes: Uint8Array, batchRows?: number): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = []
  const options = batchRows === undefined ? {} : { batchRows }
  for await (const batch of readEcsvBatches(bytesSource(bytes), options)) batches.push(batch)
  return batches
}

const column = (batches: RecordBatch[], name: string) =>
  batches.flatMap((batch) => [...batch.getChild(name)!] as unknown[])

describe('ECSV header (scanEcsv)', () => {
  it('reads columns, units, descriptions, formats, meta and where the data starts', async () => {
    const bytes = fixture('tycho2-3000.ecsv')
    const scan = await scanEcsv(bytesSource(bytes))
    expect(scan.version).toBe('1.0')
    expect(scan.delimiter).toBe(' ')
    expect(scan.schema).toBe('astropy-2.0')
    expect(scan.meta).toEqual({ catalog: 'Tycho-2', rows: 3000 })
    expect(scan.columns).toEqual([
      { name: 'ra', datatype: 'float64', unit: 'deg', description: 'Right ascension (ICRS)' },
      { name: 'dec', datatype: 'float64', unit: 'deg', description: 'Declination (ICRS)' },
      {
        name: 'phot_vt_mag',
        datatype: 'float64',
        unit: 'mag',
        format: '.3f',
        description: 'Tycho VT magnitude',
      },
      { name: 'sweep', datatype: 'int64' },
    ])
    const text = new TextDecoder().decode(bytes)
    expect(scan.dataStart).toBe(
      text.indexOf('ra dec phot_vt_mag sweep\n') + 'ra dec phot_vt_mag sweep\n'.length,
    )
    expect(scan.headerLines).toBe(text.slice(0, scan.dataStart).split('\n').length - 1)
  })

  it("reads astropy's own files: ECSV 0.9 with tagged meta, and a comma-delimited one with CR LF lines", async () => {
    const rv = await scanEcsv(bytesSource(fixture('rv.ecsv')))
    expect(rv.version).toBe('0.9')
    expect(rv.columns.map((c) => c.name)).toContain('target.ra')
    expect((rv.meta as Record<string, unknown>).__serialized_columns__).toHaveProperty('obstime')
    const subtypes = await scanEcsv(bytesSource(fixture('subtypes.ecsv')))
    expect(subtypes.delimiter).toBe(',')
    expect(subtypes.columns.find((c) => c.name === 'm_double')).toEqual({
      name: 'm_double',
      datatype: 'string',
      subtype: 'float64[2,3]',
    })
    const bytes = fixture('subtypes.ecsv')
    expect(bytes[subtypes.dataStart - 2]).toBe(0x0d) // the names line ends CR LF
    expect(String.fromCharCode(...bytes.subarray(subtypes.dataStart, subtypes.dataStart + 2))).toBe('0,')
  })
})

describe('ECSV rows as Arrow (readEcsvBatches)', () => {
  it('gives every column its declared type, nulls for empty fields, extremes exactly', async () => {
    for (const name of ['types.ecsv', 'types-comma.ecsv']) {
      const batches = await readAll(fixture(name))
      const schema = batches[0]!.schema
      expect(schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
        'b:Bool',
        'int8:Int8',
        'int16:Int16',
        'int32:Int32',
        'int64:Int64',
        'uint8:Uint8',
        'uint16:Uint16',
        'uint32:Uint32',
        'uint64:Uint64',
        'float16:Float16',
        'float32:Float32',
        'float64:Float64',
        's:Utf8',
      ])
      expect(schema.metadata.get('ecsv.delimiter')).toBe(name === 'types.ecsv' ? ' ' : ',')
      expect(schema.fields[11]!.metadata.get('unit')).toBe('km / s')
      expect(schema.fields[11]!.metadata.get('description')).toBe('A velocity')
      expect(column(batches, 'b')).toEqual([true, null, true, false])
      expect(column(batches, 'int8')).toEqual([-128, null, 7, 127])
      expect(column(batches, 'int64')).toEqual([-(2n ** 63n), null, 7n, 2n ** 63n - 1n])
      expect(column(batches, 'uint32')).toEqual([0, null, 7, 4294967295])
      expect(column(batches, 'uint64')).toEqual([0n, null, 7n, 2n ** 64n - 1n])
      expect(column(batches, 'float16')).toEqual([-1.5, null, Number.NaN, Number.POSITIVE_INFINITY])
      expect(column(batches, 'float32')).toEqual([-1.5, null, Number.NaN, Number.POSITIVE_INFINITY])
      // An empty string is written "" like a masked one; ECSV reads both as null.
      expect(column(batches, 's')).toEqual(['plain', null, 'a "quote"', null])
    }
  })

  it('reads 3000 Tycho-2 rows, in batches, with the values the text holds', async () => {
    const bytes = fixture('tycho2-3000.ecsv')
    const scan = await scanEcsv(bytesSource(bytes))
    const lines = new TextDecoder().decode(bytes.subarray(scan.dataStart)).trimEnd().split('\n')
    const batches = await readAll(bytes, 1000)
    expect(batches.map((b) => b.numRows)).toEqual([1000, 1000, 1000])
    expect(batches[0]!.schema.fields[2]!.metadata.get('ecsv.format')).toBe('.3f')
    expect(column(batches, 'ra')).toEqual(lines.map((line) => Number(line.split(' ')[0])))
    expect(column(batches, 'sweep')).toEqual(lines.map((line) => BigInt(line.split(' ')[3]!)))
  })

  it('refuses columns it does not read, naming the subtype', async () => {
    const scan = await scanEcsv(bytesSource(fixture('subtypes.ecsv')))
    expect(() => ecsvArrowSchema(scan)).toThrow(/column 'f_byte' has subtype int8\[3\]/)
    await expect(readAll(fixture('subtypes.ecsv'))).rejects.toMatchObject({ code: 'UNSUPPORTED_FEATURE' })
  })
})

describe('corrupted ECSV', () => {
  const types = new TextDecoder().decode(fixture('types.ecsv'))
  const bytes = (text: string) => new TextEncoder().encode(text)
  const failure = async (text: string) => {
    try {
      await readAll(bytes(text))
    } catch (error) {
      return error as { code: string; message: string }
    }
    throw new Error(`read without an error: ${text.split('\n').slice(20, 24).join(' | ')}`)
  }

  it('BAD_MAGIC without a %ECSV line', async () => {
    expect(await failure(types.replace('# %ECSV 1.0', '# ECSV 1.0'))).toMatchObject({ code: 'BAD_MAGIC' })
    expect(await failure('a,b\n1,2\n')).toMatchObject({ code: 'BAD_MAGIC' })
    expect(await failure('')).toMatchObject({ code: 'BAD_MAGIC' })
  })

  it('TRUNCATED when the file ends inside the header', async () => {
    const cut = types.slice(0, types.indexOf('# schema'))
    expect(await failure(cut)).toMatchObject({ code: 'TRUNCATED' })
  })

  it('CORRUPT_CHUNK for malformed YAML, naming the header line', async () => {
    const error = await failure(types.replace('datatype: int16}', 'datatype: int16}}'))
    expect(error.code).toBe('CORRUPT_CHUNK')
    expect(error.message).toMatch(/header line 6: malformed YAML/)
    expect(await failure(types.replace('datatype: int16}', 'datatype: int17}'))).toMatchObject({
      code: 'CORRUPT_CHUNK',
      message: expect.stringMatching(/column 'int16' has datatype "int17"/),
    })
    expect(await failure(types.replace('\nb int8 ', '\nb int9 '))).toMatchObject({ code: 'CORRUPT_CHUNK' })
  })

  it('CORRUPT_CHUNK for a line with the wrong number of values', async () => {
    const error = await failure(types.replace('True 7 7 7', 'True 7 7'))
    expect(error.code).toBe('CORRUPT_CHUNK')
    expect(error.message).toMatch(/^ECSV line 23: 12 values where the header declares 13 columns/)
  })

  it('CORRUPT_CHUNK for a value of the wrong type, naming line and column', async () => {
    const cases: [string, string, RegExp][] = [
      ['True 7 7 7', 'True 300 7 7', /line 23, column 'int8': 300 does not fit int8/],
      ['True 7 7 7', 'True x7 7 7', /line 23, column 'int8': 'x7' is not int8/],
      ['7 7 nan nan', '7 -7 nan nan', /line 23, column 'uint64': '-7' does not fit uint64/],
      ['7 7 nan', '7 7 1e6', /line 23, column 'float16': 1000000 does not fit float16/],
      ['True 7', 'yes 7', /line 23, column 'b': 'yes' is not bool/],
      ['-1.5 -1.5 -1.5', '-1.5 1e39 -1.5', /line 21, column 'float32': 1e\+39 does not fit float32/],
      ['7 7 nan', '7 7 65520', /line 23, column 'float16': 65520 does not fit float16/],
    ]
    for (const [from, to, message] of cases) {
      const error = await failure(types.replace(from, to))
      expect(error.code, to).toBe('CORRUPT_CHUNK')
      expect(error.message).toMatch(message)
    }
  })
})
