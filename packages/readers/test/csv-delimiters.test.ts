import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { scanCsv } from '../src/index.js'
import { readColumns, source } from './helpers/csv.js'

/** astropy's ASCII tables of the same 1000 Tycho-2 rows (see fixtures/README.md). */
const ascii = (name: string) =>
  readFileSync(new URL(`./fixtures/ascii/${name}`, import.meta.url)).toString('latin1')
const basic = ascii('tycho2-basic.txt')
const rows = basic.trimEnd().split('\n').slice(1)
const ra = rows.map((line) => Number(line.split(' ')[0]))

describe('csv: the bar and single-space delimiters of astropy ASCII tables', () => {
  it("reads ascii.basic with ' ': the names line, then the values", async () => {
    const { names, columns } = await readColumns(basic, { delimiter: ' ' })
    expect(names).toEqual(['ra', 'dec', 'phot_vt_mag', 'sweep'])
    expect(columns[0]).toEqual(ra)
    expect((await scanCsv(source(basic), { delimiter: ' ' })).columns.map((c) => c.type)).toEqual([
      'float64',
      'float64',
      'float64',
      'int32',
    ])
  })

  it("reads ascii.fixed_width with '|': numbers between spaces, empty fields at both ends", async () => {
    const { names, columns } = await readColumns(ascii('tycho2-fixed-width.txt'), { delimiter: '|' })
    expect(names).toEqual(['col1', 'ra', 'dec', 'phot_vt_mag', 'sweep', 'col6'])
    expect(columns[1]).toEqual(ra)
    expect(columns[0]!.every((value) => value === null)).toBe(true)
  })

  it('reads from a given dataStart with given names: a header the packer found in a comment', async () => {
    const text = ascii('tycho2-commented-header.txt')
    const dataStart = text.indexOf('\n225.8') + 1
    const names = ['ra', 'dec', 'phot_vt_mag', 'sweep']
    const scan = await scanCsv(source(text), { delimiter: ' ', dataStart, names })
    expect(scan).toMatchObject({ header: false, dataStart, rowCount: 1000 })
    expect(scan.columns.map((column) => column.name)).toEqual(names)
    expect((await readColumns(text, { delimiter: ' ', dataStart, names })).columns[0]).toEqual(ra)
    // Without them the comments are skipped and the first row taken for data: col1, col2, ...
    expect((await scanCsv(source(text), { delimiter: ' ' })).columns[0]!.name).toBe('col1')
  })

  it('refuses a dataStart without a delimiter, and names that do not fit the rows', async () => {
    await expect(scanCsv(source(basic), { dataStart: 25 })).rejects.toMatchObject({ code: 'USAGE' })
    await expect(scanCsv(source(basic), { delimiter: ' ', dataStart: -1 })).rejects.toMatchObject({
      code: 'USAGE',
    })
    await expect(
      scanCsv(source(basic), { delimiter: ' ', dataStart: basic.indexOf('\n') + 1, names: ['ra', 'dec'] }),
    ).rejects.toMatchObject({ code: 'CSV_RAGGED' })
    await expect(scanCsv(source(basic), { delimiter: ';' as ',' })).rejects.toMatchObject({ code: 'USAGE' })
  })
})
