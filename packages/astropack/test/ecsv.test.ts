import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { zstdCompressSync } from 'node:zlib'
import { tableFromIPC } from 'apache-arrow'
import { exportTable, format } from 'astropack' // built: its workers run compiled JavaScript
import { describe, expect, it } from 'vitest'
import { roundTrip as packedRoundTrip, scratchFolder } from './round-trip.js'

const ECSV = fileURLToPath(new URL('../../readers/test/fixtures/ecsv', import.meta.url))
const work = scratchFolder('astropack-ecsv-')
const roundTrip = (dir: string, name: string) => packedRoundTrip(work, dir, name)

/** The same table comma delimited: the header says so, and the data lines' spaces become commas. */
function commaDelimited(text: string): string {
  const names = text.indexOf('\nra dec')
  const header = text.slice(0, names + 1).replace('# ---\n', "# ---\n# delimiter: ','\n")
  return header + text.slice(names + 1).replaceAll(' ', ',')
}

describe('ECSV stored as a typed text table, unpacked byte for byte', () => {
  const dir = join(work, 'ecsv')
  mkdirSync(dir)
  const tycho = readFileSync(join(ECSV, 'tycho2-3000.ecsv'), 'latin1')
  copyFileSync(join(ECSV, 'tycho2-3000.ecsv'), join(dir, 'tycho.ecsv'))
  writeFileSync(join(dir, 'tycho-comma.ecsv'), commaDelimited(tycho), 'latin1')
  // Quotes, "" nulls and extremes, many times over: groups kept raw where they do not split, still exact.
  const types = readFileSync(join(ECSV, 'types.ecsv'), 'latin1')
  const typesData = types.indexOf('\n', types.indexOf('\nb int8') + 1) + 1
  const typesRows = types.slice(typesData)
  writeFileSync(join(dir, 'types-many.ecsv'), types.slice(0, typesData) + typesRows.repeat(1001))
  copyFileSync(join(ECSV, 'subtypes.ecsv'), join(dir, 'subtypes.ecsv'))
  // No newline after the last row: the ECSV reader reads it all the same.
  writeFileSync(join(dir, 'tycho-unended.ecsv'), tycho.trimEnd(), 'latin1')
  const rounds = roundTrip(dir, 'ecsv')

  it('keeps the header as bytes and the data lines as a text segment with the header delimiter', async () => {
    const { reader } = await rounds
    for (const [name, delimiter] of [
      ['tycho.ecsv', 32],
      ['tycho-comma.ecsv', 44],
      ['types-many.ecsv', 32],
    ] as const) {
      const segments = reader.segmentsOf(reader.entry(name))!
      expect(
        segments.map((s) => s.layout),
        name,
      ).toEqual(['bytes', 'text'])
      const text = segments[1]!
      expect(text.layout === 'text' && text.delimiter, name).toBe(delimiter)
      const table = reader.manifest.tables!.find((t) => t.entry === name)!
      expect(text.rawOffset).toBe(table.dataOffset)
    }
    // Too small to type: stored whole.
    expect(reader.segmentsOf(reader.entry('subtypes.ecsv'))).toBeUndefined()
  })

  it('records the table: source ecsv, rows, and each column with its datatype, unit and description', async () => {
    const { reader } = await rounds
    const table = reader.manifest.tables!.find((t) => t.entry === 'tycho.ecsv')!
    expect(table.source).toBe('ecsv')
    expect(table.name).toBe('tycho.ecsv')
    expect(table.rows).toBe(3000)
    expect(table.reader).toMatch(/^@astropack\/readers /)
    expect(
      table.columns.map(({ name, type, unit, description }) => ({ name, type, unit, description })),
    ).toEqual([
      { name: 'ra', type: 'float64', unit: 'deg', description: 'Right ascension (ICRS)' },
      { name: 'dec', type: 'float64', unit: 'deg', description: 'Declination (ICRS)' },
      { name: 'phot_vt_mag', type: 'float64', unit: 'mag', description: 'Tycho VT magnitude' },
      { name: 'sweep', type: 'int64', unit: undefined, description: undefined },
    ])
    expect(table.columns[0]!.metrics?.count).toBe(3000)
    const unended = reader.manifest.tables!.find((t) => t.entry === 'tycho-unended.ecsv')!
    expect(unended.rows).toBe(3000)
    const { pkg } = await rounds
    const outputPath = join(work, 'unended.arrow')
    expect(
      await exportTable({ packPath: pkg, outputPath, entry: 'tycho-unended.ecsv', to: 'arrow' }),
    ).toMatchObject({
      rows: 3000,
    })
    expect(tableFromIPC(readFileSync(outputPath)).numRows).toBe(3000)
  })

  it('stores the data lines typed: each column read from its own chunks, smaller than plain zstd', async () => {
    const { reader } = await rounds
    const lines = tycho
      .slice(tycho.indexOf('\nra dec') + 1)
      .trimEnd()
      .split('\n')
      .slice(1)
    for (const entry of ['tycho.ecsv', 'tycho-comma.ecsv']) {
      for (const [c, column] of ['ra', 'dec', 'phot_vt_mag', 'sweep'].entries()) {
        const values = await format.columnValues(reader, { entry, column })
        expect(values, `${entry} ${column}`).toEqual(lines.map((line) => Number(line.split(' ')[c])))
      }
    }
    const stored = (name: string) =>
      reader.chunkIndexes(reader.entry(name)).reduce((sum, i) => sum + reader.chunks[i]!.storedSize, 0)
    const zstd = zstdCompressSync(Buffer.from(tycho, 'latin1')).byteLength
    expect(stored('tycho.ecsv')).toBeLessThan(zstd * 0.9)
  })

  it('exports an ECSV table through the ECSV reader, in the declared types', async () => {
    const { pkg } = await rounds
    const outputPath = join(work, 'tycho.arrow')
    const result = await exportTable({ packPath: pkg, outputPath, entry: 'tycho.ecsv', to: 'arrow' })
    expect(result.rows).toBe(3000)
    const table = tableFromIPC(readFileSync(outputPath))
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'ra:Float64',
      'dec:Float64',
      'phot_vt_mag:Float64',
      'sweep:Int64',
    ])
    expect(table.schema.fields[0]!.metadata.get('unit')).toBe('deg')
    expect(table.getChild('sweep')!.get(0)).toBe(126n)
    const many = join(work, 'types.arrow')
    await exportTable({ packPath: pkg, outputPath: many, entry: 'types-many.ecsv', to: 'arrow' })
    const typed = tableFromIPC(readFileSync(many))
    expect(typed.numRows).toBe(4004)
    expect(String(typed.schema.fields[8]!.type)).toBe('Uint64')
    expect(typed.getChild('uint64')!.get(3)).toBe(2n ** 64n - 1n)
    // Writers without half floats get float16 as float32 (exact).
    expect(String(typed.schema.fields[9]!.type)).toBe('Float32')
    expect([0, 1, 2, 3].map((r) => typed.getChild('float16')!.get(r))).toEqual([
      -1.5,
      null,
      Number.NaN,
      Infinity,
    ])
    const csvResult = await exportTable({
      packPath: pkg,
      outputPath: join(work, 'types.csv'),
      entry: 'types-many.ecsv',
      to: 'csv',
    })
    expect(csvResult.rows).toBe(4004)
    // FITS has no null for an integer column that uses its whole range: refused, not altered.
    await expect(
      exportTable({
        packPath: pkg,
        outputPath: join(work, 'types.fits'),
        entry: 'types-many.ecsv',
        to: 'fits',
      }),
    ).rejects.toThrow(/column "int8" has nulls and uses both ends of its range/)
    const csv = readFileSync(join(work, 'types.csv'), 'latin1').split('\n')
    expect(csv[1]!.split(',').slice(9, 12)).toEqual(['-1.5', '-1.5', '-1.5'])
  })
})
