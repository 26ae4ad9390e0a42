import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { constants, zstdCompressSync } from 'node:zlib'
import { format } from 'astropack' // built: its workers run compiled JavaScript
import { describe, expect, it } from 'vitest'
import { roundTrip as packedRoundTrip, scratchFolder } from './round-trip.js'

const FIXED = fileURLToPath(new URL('../../readers/test/fixtures/fixed-width', import.meta.url))
const work = scratchFolder('astropack-fixed-width-')

const eop = readFileSync(join(FIXED, 'iers-eopc04-head.txt'), 'latin1')
/** The IERS series' 14 header lines, then 800 data lines of 16 numbers each. */
/** Its columns, named by the title line above them (year, month and day share one title: no name). */
const EOP_NAMES: string[] = JSON.parse(readFileSync(join(FIXED, 'expected.json'), 'utf8'))[
  'iers-eopc04-head.txt'
].names
const [eopHeader, eopRows] = [eop.split('\n').slice(0, 14), eop.split('\n').slice(14, -1)]
const stars = readFileSync(join(FIXED, 'kstars-stars-head.dat'), 'latin1')
const starRows = stars.split('\n').filter((line) => line !== '' && !line.startsWith('#'))

const zstd19 = (text: string) =>
  zstdCompressSync(Buffer.from(text, 'latin1'), { params: { [constants.ZSTD_c_compressionLevel]: 19 } })
    .byteLength

describe('fixed-width text tables, stored as typed columns and unpacked byte for byte', () => {
  const dir = join(work, 'in')
  mkdirSync(dir)
  copyFileSync(join(FIXED, 'iers-eopc04-head.txt'), join(dir, 'eop.txt'))
  copyFileSync(join(FIXED, 'kstars-stars-head.dat'), join(dir, 'stars.dat'))
  // A footer after the table; a line cut short in its middle; Windows line ends.
  writeFileSync(join(dir, 'eop-footer.txt'), `${eop}END OF SERIES\n${eopRows[0]}\n`, 'latin1')
  const cut = [...eopHeader, ...eopRows.slice(0, 599), eopRows[599]!.slice(0, 60), ...eopRows.slice(600)]
  writeFileSync(join(dir, 'eop-cut.txt'), `${cut.join('\n')}\n`, 'latin1')
  writeFileSync(join(dir, 'eop-crlf.txt'), eop.replaceAll('\n', '\r\n'), 'latin1')
  // A few aligned lines in a long text: not worth a table.
  const prose = 'The series is smoothed and interpolated to 0h UTC every day.\n'.repeat(2000)
  writeFileSync(join(dir, 'notes.txt'), [...eopHeader, ...eopRows.slice(0, 16), prose].join('\n'), 'latin1')
  const rounds = packedRoundTrip(work, dir, 'fixed')

  const tableOf = (reader: format.PackageReader, entry: string) =>
    reader.manifest.tables!.find((table) => table.entry === entry)!

  it('keeps the header as bytes and the data lines as a text table split at the columns', async () => {
    const { reader } = await rounds
    const layouts = (entry: string) => reader.segmentsOf(reader.entry(entry))!.map((s) => s.layout)
    for (const entry of ['eop.txt', 'eop-crlf.txt', 'stars.dat'])
      expect(layouts(entry), entry).toEqual(['bytes', 'text'])
    // The table ends at the first line that is not one of its own: the rest is plain bytes.
    expect(layouts('eop-footer.txt')).toEqual(['bytes', 'text', 'bytes'])
    expect(layouts('eop-cut.txt')).toEqual(['bytes', 'text', 'bytes'])
    expect(reader.segmentsOf(reader.entry('notes.txt'))).toBeUndefined()
    const text = reader.segmentsOf(reader.entry('eop.txt'))![1]!
    expect(text.rawOffset).toBe(eopHeader.join('\n').length + 1)
    expect(text.layout === 'text' && text.delimiter).toBe(32)
  })

  it('lists each table: source fixed-width, its rows, columns and metrics', async () => {
    const { reader } = await rounds
    const table = tableOf(reader, 'eop.txt')
    expect(table).toMatchObject({ source: 'fixed-width', name: 'eop.txt', rows: 800 })
    expect(table.columns.map((column) => column.name)).toEqual(EOP_NAMES)
    const mjd = eopRows.map((line) => Number(line.trim().split(/ +/)[3]))
    expect(table.columns[3]!.metrics).toMatchObject({ count: 800, nulls: 0, min: mjd[0], max: mjd.at(-1) })
    expect(tableOf(reader, 'eop-footer.txt').rows).toBe(800)
    expect(tableOf(reader, 'eop-cut.txt').rows).toBe(599)
    expect(tableOf(reader, 'eop-crlf.txt').rows).toBe(800)
    // Not a CSV, for all the commas before its first stars' names.
    expect(tableOf(reader, 'stars.dat')).toMatchObject({ source: 'fixed-width', rows: starRows.length })
  })

  it('reads each column from its own chunks, with the values the lines hold', async () => {
    const { reader } = await rounds
    const fields = eopRows.map((line) => line.trim().split(/ +/).map(Number))
    for (const entry of ['eop.txt', 'eop-crlf.txt']) {
      for (let c = 0; c < 16; c++) {
        const values = await format.columnValues(reader, { entry, column: EOP_NAMES[c]! })
        expect(values, `${entry} ${EOP_NAMES[c]}`).toEqual(fields.map((row) => row[c]))
      }
    }
    const ra = await format.columnValues(reader, { entry: 'stars.dat', column: 'RA' })
    expect(ra).toEqual(starRows.map((line) => Number(line.slice(0, 9))))
  })

  it('stores the IERS series a third smaller than zstd -19 does', async () => {
    const { reader } = await rounds
    const stored = reader
      .chunkIndexes(reader.entry('eop.txt'))
      .reduce((sum, i) => sum + reader.chunks[i]!.storedSize, 0)
    expect(stored).toBeLessThan(zstd19(eop) * (2 / 3))
  })
})
