import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bytesSource, type FitsHdu, fitsTableToArrow, readCsvTable, scanFits } from '@astropack/readers'
import { DataType, type Field, Table } from 'apache-arrow'
import { exportTable, packFolder } from 'astropack' // built: its workers run compiled JavaScript
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repeatTypesTable } from './fits-fixtures.js'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const READER_FIXTURES = fileURLToPath(new URL('../../readers/test/fixtures/', import.meta.url))
const TYCHO2 = join(process.env.ASTROPACK_CORPUS ?? '/work/corpus', 'fits_table/tycho2-07-stars.fits')
const work = mkdtempSync(join(tmpdir(), 'astropack-export-fits-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** [entry, HDU]: FITS tables with 100A strings, 1024E vectors, doubles, and every FITS type (P and Q too). */
const TABLES: [string, number][] = [
  ['sdss-psField-003366-3-0110.fit', 9],
  ['wmap7-W-iqu-nside32.fits', 1],
  ['hst-cos-g130m-spectrum.fits', 1],
  ['astropy-types-600.fits', 1],
]
const CSV = 'jpl-sbdb-asteroids.csv'
/** Binary data in a 12A column, bytes 0x00-0xFF (see fixtures/fits/README.md). */
const INDEX_HEAD = 'astrometry-index-head.fits'
const FIXTURES = fileURLToPath(new URL('./fixtures/fits/', import.meta.url))
/** Nulls in every type; `low` uses the least int32, so its TNULL must be the greatest. Over 64 KiB: a table. */
const NULLS_CSV = `n,low,flag,name,x\n${'1,-2147483648,true,a,1.5\n,5,false,,\n3,,,b c,2\n'.repeat(2000)}`

let input: string
let packPath: string

beforeAll(async () => {
  input = join(work, 'in')
  mkdirSync(input)
  copyFileSync(join(SAMPLE, 'fits/sdss-psField-003366-3-0110.fit'), join(input, TABLES[0]![0]))
  copyFileSync(join(SAMPLE, 'fits/wmap7-W-iqu-nside32.fits'), join(input, TABLES[1]![0]))
  copyFileSync(join(READER_FIXTURES, 'hst-cos-g130m-spectrum.fits'), join(input, TABLES[2]![0]))
  writeFileSync(join(input, TABLES[3]![0]), await repeatTypesTable(200))
  copyFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'), join(input, CSV))
  copyFileSync(join(FIXTURES, INDEX_HEAD), join(input, INDEX_HEAD))
  writeFileSync(join(input, 'nulls.csv'), NULLS_CSV)
  packPath = join(work, 'tables.astropack')
  // Small chunks, so each table spans several row groups.
  await packFolder({ sourcePath: input, outputPath: packPath, chunkSize: 16 * 1024, threads: 2 })
})

async function readHdu(path: string, index: number): Promise<{ hdu: FitsHdu; table: Table }> {
  const source = bytesSource(new Uint8Array(readFileSync(path)))
  const hdu = (await scanFits(source, { strict: true })).hdus[index]!
  const batches = []
  for await (const batch of fitsTableToArrow(source, hdu)) batches.push(batch)
  return { hdu, table: new Table(hdu.type === 'BINTABLE' ? batches : []) }
}

/** Values in one comparable form: bigints past 2^53 as text, vectors and arrays as plain arrays. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value)
  if (typeof value === 'object' && Symbol.iterator in value)
    return Array.from(value as Iterable<unknown>, plain)
  return value
}

function columnsOf(table: Table): unknown[][] {
  return table.schema.fields.map((_field, c) => Array.from(table.getChildAt(c)!, plain))
}

const types = (table: Table) => table.schema.fields.map((field) => String(field.type))

/** fitsverify's verdict; undefined (the test then skips) when it is not installed. */
function fitsverify(path: string): { errors: number; warnings: number; text: string } | undefined {
  const run = spawnSync('fitsverify', [path], { encoding: 'utf8' })
  if (run.error) return undefined
  const counts = /found (\d+) warning\(s\) and (\d+) error\(s\)/.exec(run.stdout)
  if (!counts) throw new Error(`fitsverify printed no verdict:\n${run.stdout}${run.stderr}`)
  return { warnings: Number(counts[1]), errors: Number(counts[2]), text: run.stdout }
}

const NO_FITSVERIFY = 'fitsverify is not installed (Debian: apt-get install fitsverify)'

describe('export to FITS', () => {
  it.each(TABLES)(
    '%s HDU %i: the FITS reader reads back every value of the source table',
    async (entry, index) => {
      const output = join(work, `${entry}.out.fits`)
      const result = await exportTable({ packPath, outputPath: output, entry, table: index, to: 'fits' })
      const source = await readHdu(join(input, entry), index)
      const exported = await readHdu(output, 1)
      expect(result).toMatchObject({ rows: source.table.numRows, columns: source.table.numCols })
      expect(exported.hdu.type).toBe('BINTABLE')
      expect(exported.hdu.dataStart % 2880).toBe(0)
      expect(readFileSync(output).byteLength % 2880).toBe(0)
      expect(exported.table.schema.fields.map((field) => field.name)).toEqual(
        source.table.schema.fields.map((field) => field.name),
      )
      expect(types(exported.table)).toEqual(types(source.table))
      expect(columnsOf(exported.table)).toEqual(columnsOf(source.table))
    },
  )

  // it.for, not it.each: it.each spreads a row into the arguments and gives no test context to skip with.
  it.for(TABLES)('%s HDU %i: fitsverify reports no error and no warning', async ([entry, index], context) => {
    const output = join(work, `${entry}.verified.fits`)
    await exportTable({ packPath, outputPath: output, entry, table: index, to: 'fits' })
    const verdict = fitsverify(output)
    if (verdict === undefined) return context.skip(NO_FITSVERIFY)
    expect(verdict, verdict.text).toMatchObject({ errors: 0, warnings: 0 })
  })

  it('keeps names, units, UCDs, descriptions, TDIM, TNULL and the TZERO conventions in the header', async () => {
    const output = join(work, 'types-header.fits')
    await exportTable({ packPath, outputPath: output, entry: TABLES[3]![0], table: 1, to: 'fits' })
    const { hdu } = await readHdu(output, 1)
    const value = (keyword: string) => card(hdu, keyword)
    const number = (name: string) => 1 + readHeaderNames(hdu).indexOf(name)
    expect(value('EXTNAME')).toBe('TYPES')
    const f32 = number('f32')
    expect([value(`TUNIT${f32}`), value(`TUCD${f32}`), value(`TCOMM${f32}`)]).toEqual([
      'mag',
      'phot.mag',
      'a float column with NaN and -Inf',
    ])
    expect(value(`TNULL${number('withnull')}`)).toBe(-999)
    expect(value(`TDIM${number('vec')}`)).toBe('(3,2)')
    expect(value(`TDIM${number('words')}`)).toBe('(4,3)')
    expect([value(`TFORM${number('words')}`), value(`TFORM${number('name')}`)]).toEqual(['12A', '8A'])
    expect(value(`TZERO${number('sbyte')}`)).toBe(-128)
    expect(value(`TZERO${number('u16')}`)).toBe(32768)
    expect(value(`TZERO${number('u32')}`)).toBe(2147483648)
    expect(value(`TZERO${number('u64')}`)).toBe(9223372036854775808n)
    expect(value(`TFORM${number('vla')}`)).toMatch(/^1PD\(\d+\)$/)
    expect(value(`TFORM${number('c')}`)).toBe('2C')
    expect(value('PCOUNT')).toBeGreaterThan(0)
  })

  it('writes the bytes 0x80-0xFF of a character column back as single bytes (binary data in nA)', async () => {
    const output = join(work, 'index-head.out.fits')
    await exportTable({ packPath, outputPath: output, entry: INDEX_HEAD, table: 1, to: 'fits' })
    const source = await readHdu(join(input, INDEX_HEAD), 1)
    const exported = await readHdu(output, 1)
    expect(card(exported.hdu, 'TFORM1')).toBe('12A')
    expect(columnsOf(exported.table)).toEqual(columnsOf(source.table))
    // A FITS string ends at its first NUL: each field's bytes up to there are the source's.
    const fields = (path: string, hdu: FitsHdu) => {
      const bytes = readFileSync(path).subarray(hdu.dataStart)
      return Array.from({ length: 2048 }, (_, row) => {
        const field = bytes.subarray(row * 12, row * 12 + 12)
        const end = field.indexOf(0)
        return Buffer.from(end === -1 ? field : field.subarray(0, end))
      })
    }
    const expected = fields(join(input, INDEX_HEAD), source.hdu)
    expect(expected.filter((field) => field.some((byte) => byte >= 0x80)).length).toBeGreaterThan(1000)
    expect(fields(output, exported.hdu)).toEqual(expected)
  })

  it.for([
    [CSV, 7099, 0],
    ['nulls.csv', 6000, 2],
  ] as const)(
    '%s: widths, TNULLs and NaNs for the nulls, as fitsverify accepts',
    async ([entry, rows, tnulls], context) => {
      const output = join(work, `${entry}.fits`)
      const result = await exportTable({ packPath, outputPath: output, entry, to: 'fits' })
      const csv = await readCsvTable(bytesSource(new Uint8Array(readFileSync(join(input, entry)))))
      expect(result).toMatchObject({ rows, columns: csv.numCols })
      const { hdu, table } = await readHdu(output, 1)
      expect(card(hdu, 'EXTNAME')).toBe(entry)
      // Nulls as FITS has them: NaN in floats, empty strings; integers (TNULL) and logicals keep theirs.
      const expected = csv.schema.fields.map((field, c) =>
        Array.from(csv.getChildAt(c)!, (value) => plain(value ?? nullAs(field))),
      )
      expect(types(table)).toEqual(types(csv))
      expect(columnsOf(table)).toEqual(expected)
      const names = readHeaderNames(hdu)
      const withTnull = names.filter((_name, c) => card(hdu, `TNULL${c + 1}`) !== undefined)
      expect(withTnull).toHaveLength(tnulls)
      if (entry === 'nulls.csv') {
        expect(card(hdu, `TNULL${names.indexOf('n') + 1}`)).toBe(-2147483648)
        expect(card(hdu, `TNULL${names.indexOf('low') + 1}`)).toBe(2147483647)
        expect(columnsOf(table)[names.indexOf('flag')]!.slice(0, 3)).toEqual([true, false, null])
      }
      const verdict = fitsverify(output)
      if (verdict === undefined) return context.skip(NO_FITSVERIFY)
      expect(verdict, verdict.text).toMatchObject({ errors: 0, warnings: 0 })
    },
  )

  it.skipIf(!existsSync(TYCHO2))(
    'exports the Tycho-2 table of the corpus (1.87 M rows) value for value',
    async (context) => {
      const dir = join(work, 'tycho2')
      mkdirSync(dir)
      copyFileSync(TYCHO2, join(dir, 'tycho2.fits'))
      const pack = join(work, 'tycho2.astropack')
      await packFolder({ sourcePath: dir, outputPath: pack, threads: 2 })
      const output = join(work, 'tycho2.out.fits')
      await exportTable({ packPath: pack, outputPath: output, to: 'fits' })
      const source = await readHdu(TYCHO2, 1)
      const exported = await readHdu(output, 1)
      expect(types(exported.table)).toEqual(types(source.table))
      for (let c = 0; c < source.table.numCols; c++) {
        const [a, b] = [exported.table.getChildAt(c)!, source.table.getChildAt(c)!]
        expect(a.length).toBe(b.length)
        for (let i = 0; i < a.length; i++)
          if (!Object.is(a.get(i), b.get(i))) expect([c, i, a.get(i)]).toEqual([c, i, b.get(i)])
      }
      const verdict = fitsverify(output)
      if (verdict === undefined) return context.skip(NO_FITSVERIFY)
      expect(verdict, verdict.text).toMatchObject({ errors: 0, warnings: 0 })
    },
    180_000,
  )
})

function card(hdu: FitsHdu, keyword: string): unknown {
  return hdu.header.byKeyword.get(keyword)?.value
}

function readHeaderNames(hdu: FitsHdu): string[] {
  const fields = Number(card(hdu, 'TFIELDS'))
  return Array.from({ length: fields }, (_, i) => String(card(hdu, `TTYPE${i + 1}`)))
}

function nullAs(field: Field): unknown {
  if (DataType.isFloat(field.type)) return Number.NaN
  if (DataType.isUtf8(field.type)) return ''
  return null
}
