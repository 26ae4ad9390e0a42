import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { constants, zstdCompressSync } from 'node:zlib'
import { tableFromIPC } from 'apache-arrow'
import { exportTable, format } from 'astropack' // built: its workers run compiled JavaScript
import { describe, expect, it } from 'vitest'
import { openTableStream } from '../src/export/table-stream.js'
import { roundTrip, scratchFolder } from './round-trip.js'

/** The same 1000 Tycho-2 rows as astropy writes them in four ASCII formats (see the fixtures' README). */
const ASCII = fileURLToPath(new URL('../../readers/test/fixtures/ascii', import.meta.url))
const FILES = {
  'tycho2-basic.txt': { source: 'space-separated', names: ['ra', 'dec', 'phot_vt_mag', 'sweep'] },
  'tycho2-commented-header.txt': { source: 'space-separated', names: ['ra', 'dec', 'phot_vt_mag', 'sweep'] },
  // Between the bars at each end of a line: an empty field, named as the CSV reader names one.
  'tycho2-fixed-width.txt': {
    source: 'bar-separated',
    names: ['col1', 'ra', 'dec', 'phot_vt_mag', 'sweep', 'col6'],
  },
  'tycho2.ipac': { source: 'fixed-width', names: ['ra', 'dec', 'phot_vt_mag', 'sweep'] },
} as const
const work = scratchFolder('astropack-ascii-')

/** ra of every row, as the space-separated file writes it (astropy's repr of the double). */
const basic = readFileSync(join(ASCII, 'tycho2-basic.txt'), 'latin1').trimEnd().split('\n').slice(1)
const ra = basic.map((line) => Number(line.split(' ')[0]))
const sweep = basic.map((line) => Number(line.split(' ')[3]))

const zstd19 = (bytes: Buffer) =>
  zstdCompressSync(bytes, { params: { [constants.ZSTD_c_compressionLevel]: 19 } }).byteLength

describe("astropy's ASCII tables stored as typed columns, unpacked byte for byte", () => {
  const dir = join(work, 'in')
  mkdirSync(dir)
  for (const name of Object.keys(FILES)) copyFileSync(join(ASCII, name), join(dir, name))
  // The same rows as VizieR writes a TSV: comments, names, units, a rule of dashes, then the rows.
  const vizier = [
    '#RESOURCE=yCat_1259',
    'ra\tdec\tphot_vt_mag\tsweep',
    'deg\tdeg\tmag\t',
    '---\t---\t---\t---',
    ...basic.map((line) => line.replaceAll(' ', '\t')),
  ]
  writeFileSync(join(dir, 'vizier.tsv'), `${vizier.join('\n')}\n`, 'latin1')
  // Split by spaces as evenly, but no table of numbers: key-value settings, and a wide matrix of few rows
  // (each column would be a few bytes in chunks of its own).
  const settings = Array.from({ length: 2000 }, (_, i) => `\tTOKEN_${i} "${i % 7}"`)
  writeFileSync(join(dir, 'settings.conf'), `section {\n${settings.join('\n')}\n}\n`)
  const matrix = Array.from({ length: 12 }, (_, r) =>
    ra
      .slice(0, 1000)
      .map((x) => x + r)
      .join(' '),
  )
  writeFileSync(join(dir, 'matrix.txt'), `${matrix.join('\n')}\n`)
  // JSON with a key to a line, as MAST answers (`{"data": [{"ra": 1.5,`): its lines split in two at commas.
  const objects = ra
    .slice(0, 400)
    .map((x, i) => `{"ra": ${x},\n   "sweep": ${sweep[i]},\n   "name": "s${i}"}`)
  writeFileSync(
    join(dir, 'mast.json'),
    `{"data": [${objects.join(',\n  ')}],\n "fields": [{"name": "ra", "type": "float"}]}\n`,
  )
  const rounds = roundTrip(work, dir, 'ascii')

  it('lists each as a table of its 1000 rows, with its names', async () => {
    const { reader } = await rounds
    for (const [entry, { source, names }] of Object.entries(FILES)) {
      const table = reader.manifest.tables!.find((t) => t.entry === entry)!
      expect(table, entry).toMatchObject({ source, rows: 1000 })
      expect(table.columns.map((column) => column.name)).toEqual(names)
      expect(table.columns[names.indexOf('ra')]!.metrics).toMatchObject({ count: 1000, nulls: 0 })
    }
  })

  it('leaves text alone that splits at spaces or commas but is no table of numbers, or too wide for its rows', async () => {
    const { reader } = await rounds
    for (const entry of ['settings.conf', 'matrix.txt', 'mast.json']) {
      expect(readFileSync(join(dir, entry)).byteLength, entry).toBeGreaterThan(16 * 1024)
      expect(reader.segmentsOf(reader.entry(entry)), entry).toBeUndefined()
    }
  })

  it('reads the same values from every format', async () => {
    const { reader } = await rounds
    for (const entry of Object.keys(FILES)) {
      expect(await format.columnValues(reader, { entry, column: 'ra' }), entry).toEqual(ra)
      expect(await format.columnValues(reader, { entry, column: 'sweep' }), entry).toEqual(sweep)
    }
  })

  it('stores each smaller than zstd -19', async () => {
    const { reader } = await rounds
    for (const entry of Object.keys(FILES)) {
      const stored = reader
        .chunkIndexes(reader.entry(entry))
        .reduce((sum, i) => sum + reader.chunks[i]!.storedSize, 0)
      expect(stored, entry).toBeLessThan(zstd19(readFileSync(join(ASCII, entry))))
    }
  })

  it("exports a VizieR TSV's rows in their types and units: its units and rule lines are no rows", async () => {
    const { pkg } = await rounds
    const outputPath = join(work, 'vizier.arrow')
    await exportTable({ packPath: pkg, outputPath, entry: 'vizier.tsv', to: 'arrow' })
    const table = tableFromIPC(readFileSync(outputPath))
    expect(table.schema.fields.map(String)).toEqual([
      'ra: Float64',
      'dec: Float64',
      'phot_vt_mag: Float64',
      'sweep: Int32',
    ])
    expect([...table.getChild('ra')!]).toEqual(ra)
    // Its units line, which only the manifest holds, goes with the fields (FITS TUNIT, HDF5 attributes).
    expect(table.schema.fields.map((field) => field.metadata.get('unit'))).toEqual([
      'deg',
      'deg',
      'mag',
      undefined,
    ])
  })

  it('refuses to export a delimited table the manifest places where the file has none (BAD_MANIFEST)', async () => {
    const { reader } = await rounds
    const table = reader.manifest.tables!.find((t) => t.entry === 'tycho2-basic.txt')!
    const size = reader.entry('tycho2-basic.txt').size
    for (const dataOffset of [size, size + 100]) {
      await expect(openTableStream(reader, { ...table, dataOffset })).rejects.toMatchObject({
        code: 'BAD_MANIFEST',
      })
    }
    // Names for other columns than its rows have: a typed error, not a table of the wrong shape.
    await expect(
      openTableStream(reader, { ...table, columns: table.columns.slice(1) }),
    ).rejects.toMatchObject({
      code: 'CSV_RAGGED',
    })
  })

  it('exports each with its names and values, the header lines left to the packer', async () => {
    const { pkg } = await rounds
    for (const [entry, { names }] of Object.entries(FILES)) {
      const outputPath = join(work, `${entry}.arrow`)
      await exportTable({ packPath: pkg, outputPath, entry, to: 'arrow' })
      const table = tableFromIPC(readFileSync(outputPath))
      expect(
        table.schema.fields.map((field) => field.name),
        entry,
      ).toEqual(names)
      expect(table.numRows).toBe(1000)
      expect([...table.getChild('ra')!], entry).toEqual(ra)
      expect([...table.getChild('sweep')!].map(Number), entry).toEqual(sweep)
    }
  })
})
