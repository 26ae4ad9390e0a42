import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  columnStorage,
  columnValues,
  FEATURE_PREDICTED_ROWS,
  FEATURE_RANKED_COLUMNS,
  fromBytes,
  openPackage,
  type PackageReader,
  withReadStats,
} from '@astropack/format'
import { tableFromIPC } from 'apache-arrow'
import { exportTable, packFolder } from 'astropack' // built: its workers run compiled JavaScript
import { describe, expect, it } from 'vitest'
import { binTableFile } from '../../readers/test/helpers/build-fits.js'
import { roundTrip, scratchFolder } from './round-trip.js'

const FITS = fileURLToPath(new URL('./fixtures/fits/', import.meta.url))
const WMAP = fileURLToPath(new URL('../../readers/test/fixtures/wmap7-W-iqu-nside32.fits', import.meta.url))
const TYCHO = fileURLToPath(
  new URL('../../readers/test/fixtures/same-catalog/tycho2-07-first20000.fits', import.meta.url),
)
const TYCHO_CSV = TYCHO.replace(/fits$/, 'csv')
const WINDOW = 'pixel_window_n0256.fits' // HEALPix pixel window: 1025 rows of TEMPERATURE, POLARIZATION (D)
const SPECTRUM = 'flux-and-error.fits'
const DATA_START = 5760 // both files: an empty primary header, then one table header block
const RELATION_BYTES = 16

const work = scratchFolder('astropack-predicted-rows-')

/**
 * A spectrum-like table of real float32 values: FLUX from the WMAP fixture's I_STOKES (12,288 values),
 * and ERROR = 1% of it as float32 arithmetic gives it (STIS calibration files have such a column), off by
 * a unit in the last place on every tenth row.
 */
function spectrum(): { file: Uint8Array; flux: number[]; error: number[] } {
  const wmap = readFileSync(WMAP)
  const first = new DataView(wmap.buffer, wmap.byteOffset + DATA_START)
  const flux = Array.from({ length: 12288 }, (_, i) => first.getFloat32(i * 4))
  const rows = new Uint8Array(flux.length * 8)
  const view = new DataView(rows.buffer)
  const error = flux.map((f, i) => {
    view.setFloat32(i * 8, f)
    view.setFloat32(i * 8 + 4, Math.fround(f * 0.01))
    if (i % 10 === 0) view.setInt32(i * 8 + 4, view.getInt32(i * 8 + 4) + 1)
    return view.getFloat32(i * 8 + 4)
  })
  const file = binTableFile(
    [
      { form: '1E', name: 'FLUX' },
      { form: '1E', name: 'ERROR' },
    ],
    rows,
    { rowBytes: 8, rowCount: flux.length },
  )
  return { file, flux, error }
}

/** The chunk of segment column `c` in the only group of the entry's rows segment, decoded. */
async function columnChunk(reader: PackageReader, entry: string, c: number) {
  const segment = reader.segmentsOf(reader.entry(entry))!.find((s) => s.layout === 'rows')!
  const index = segment.firstChunk + c
  const [stored] = await reader.readStoredInto([index], new Uint8Array(1 << 20))
  return {
    index,
    bytes: await reader.decode(stored!.chunk, stored!.stored),
    stored: stored!.chunk.storedSize,
  }
}

/**
 * A two-column table of `rows` rows stored as one column and the other predicted from it (which way the
 * search finds first): both chunks, and the predicted one's relation record.
 */
async function predictedPair(reader: PackageReader, entry: string, rows: number, width: number) {
  const columns = [await columnChunk(reader, entry, 0), await columnChunk(reader, entry, 1)]
  const target = columns.findIndex((chunk) => chunk.bytes.byteLength === RELATION_BYTES + rows * width)
  expect(target).not.toBe(-1)
  const [predicted, source] = [columns[target]!, columns[1 - target]!]
  expect(source.bytes.byteLength).toBe(rows * width)
  const view = new DataView(predicted.bytes.buffer, predicted.bytes.byteOffset)
  const record = { relation: view.getUint8(0), order: view.getUint8(1), a: view.getUint16(2, true) }
  // Relation 9 (c × a) of the other column, big-endian as FITS is.
  expect(record).toEqual({ relation: 9, order: 1, a: 1 - target })
  return { predicted, source, target, c: view.getFloat64(8, true) }
}

/** The big-endian doubles of column `c` (of two) of a FITS table's rows. */
function fitsDoubles(file: Buffer, c: number, rows: number): number[] {
  const view = new DataView(file.buffer, file.byteOffset + DATA_START)
  return Array.from({ length: rows }, (_, i) => view.getFloat64(i * 16 + c * 8))
}

describe('table columns predicted from others of their row', () => {
  const dir = join(work, 'tables')
  mkdirSync(dir)
  copyFileSync(join(FITS, WINDOW), join(dir, WINDOW))
  const { file, flux, error } = spectrum()
  writeFileSync(join(dir, SPECTRUM), file)
  const packed = roundTrip(work, dir, 'predicted') // unpacks and checks every file's SHA-256 too

  it("stores a HEALPix window's polarisation and temperature as one, c times the other", async () => {
    const { reader } = await packed
    expect(reader.trailer.requiredFeatures & FEATURE_PREDICTED_ROWS).toBe(FEATURE_PREDICTED_ROWS)
    const { predicted, source, target, c } = await predictedPair(reader, WINDOW, 1025, 8)
    // The constant is the median ratio (1.0000025 here; polarisation is 0 at l = 0 and 1).
    expect(target === 1 ? c : 1 / c).toBeCloseTo(1, 4)
    expect(predicted.stored).toBeLessThan(source.stored / 4)
    // The format's reader rebuilds the rows too (and checks the file's SHA-256).
    expect(Buffer.from(await reader.readEntry(WINDOW)).equals(readFileSync(join(dir, WINDOW)))).toBe(true)
  })

  it('stores a float32 error column and its flux as one, 1% (or 100 times) the other, exactly', async () => {
    const { reader } = await packed
    const { predicted, source, target, c } = await predictedPair(reader, SPECTRUM, 12288, 4)
    expect(target === 1 ? c : 1 / c).toBeCloseTo(0.01, 8)
    expect(predicted.stored).toBeLessThan(source.stored / 4)
    expect(await columnValues(reader, { entry: SPECTRUM, column: 'ERROR' })).toEqual(error)
    expect(await columnValues(reader, { entry: SPECTRUM, column: 'FLUX' })).toEqual(flux)
  })

  it("reads a predicted column from its own and its sources' chunks only", async () => {
    const { pkg } = await packed
    const source = withReadStats(fromBytes(readFileSync(pkg)))
    const reader = await openPackage(source)
    const before = source.stats.bytes
    const { target } = await predictedPair(reader, WINDOW, 1025, 8)
    const read = source.stats.bytes
    const name = target === 1 ? 'POLARIZATION' : 'TEMPERATURE'
    const values = await columnValues(reader, { entry: WINDOW, column: name, rows: [1000, 1025] })
    const after = source.stats.bytes
    expect(values).toEqual(fitsDoubles(readFileSync(join(dir, WINDOW)), target, 1025).slice(1000))
    // Its chunk and its source's: nothing else.
    const segment = reader.segmentsOf(reader.entry(WINDOW))!.find((s) => s.layout === 'rows')!
    expect(after - read).toBe(reader.storedBytes([segment.firstChunk, segment.firstChunk + 1]))
    expect(read).toBeGreaterThan(before)
  })

  it("reuses the first group's predictions in every later group, the last one a single row", async () => {
    const pkg = join(work, 'groups.astropack')
    // 2 KiB groups: 128 rows of 16 bytes, so 8 groups of 128 and one of 1.
    await packFolder({ sourcePath: join(dir, WINDOW), outputPath: pkg, threads: 2, chunkSize: 2048 })
    const reader = await openPackage(fromBytes(readFileSync(pkg)))
    const segment = reader.segmentsOf(reader.entry(WINDOW))!.find((s) => s.layout === 'rows')!
    expect(segment.chunkCount).toBe(9 * 2)
    const records = new Set<string>()
    for (let group = 0; group < 9; group++) {
      const rows = group < 8 ? 128 : 1
      const indexes = [0, 1].map((c) => segment.firstChunk + group * 2 + c)
      const sizes = indexes.map((index) => reader.chunks[index]!.rawSize).sort((x, y) => x - y)
      expect(sizes).toEqual([rows * 8, RELATION_BYTES + rows * 8])
      const predicted = indexes.find((index) => reader.chunks[index]!.rawSize === RELATION_BYTES + rows * 8)!
      const [stored] = await reader.readStoredInto([predicted], new Uint8Array(1 << 16))
      const bytes = await reader.decode(stored!.chunk, stored!.stored)
      records.add(
        `${predicted - segment.firstChunk - group * 2}:${Buffer.from(bytes.subarray(0, RELATION_BYTES)).toString('hex')}`,
      )
    }
    // One column, one relation record, in every group; the index alone tells which (columnStorage).
    expect(records.size).toBe(1)
    const target = Number([...records][0]!.split(':')[0])
    const names = ['TEMPERATURE', 'POLARIZATION']
    const storage = names.map((column) => columnStorage(reader, { entry: WINDOW, column }))
    expect(storage.map((s) => s.predicted)).toEqual(target === 0 ? [9, 0] : [0, 9])
    expect(Buffer.from(await reader.readEntry(WINDOW)).equals(readFileSync(join(dir, WINDOW)))).toBe(true)
  })

  it('exports the predicted column with its values', async () => {
    const { pkg } = await packed
    const outputPath = join(work, 'window.arrow')
    await exportTable({ packPath: pkg, outputPath, entry: WINDOW, to: 'arrow' })
    const table = tableFromIPC(readFileSync(outputPath))
    const file = readFileSync(join(dir, WINDOW))
    for (const [c, name] of ['TEMPERATURE', 'POLARIZATION'].entries())
      expect([...table.getChild(name)!.toArray()]).toEqual(fitsDoubles(file, c, 1025))
  })
})

describe('one-byte codes ranked in contexts of another column of their row', () => {
  const dir = join(work, 'codes')
  mkdirSync(dir)
  copyFileSync(TYCHO, join(dir, 'tycho.fits'))
  copyFileSync(TYCHO_CSV, join(dir, 'tycho.csv'))
  const packed = roundTrip(work, dir, 'ranked') // unpacks and checks every file's SHA-256 too
  // Rows of 21 bytes: ra D, dec D, phot_vt_mag E, sweep B; the sweep is the row's last byte.
  const file = readFileSync(TYCHO)
  const sweep = Array.from({ length: 20000 }, (_, i) => file[DATA_START + i * 21 + 20]!)

  it("stores Tycho-2's sweep as its ranks by magnitude, in about half the bytes", async () => {
    const { reader } = await packed
    expect(reader.trailer.requiredFeatures & FEATURE_RANKED_COLUMNS).toBe(FEATURE_RANKED_COLUMNS)
    const chunk = await columnChunk(reader, 'tycho.fits', 3)
    expect(chunk.bytes.byteLength).toBe(RELATION_BYTES + 20000)
    // Relation 10, of column 2 (the magnitude), big-endian.
    expect([chunk.bytes[0], chunk.bytes[1], chunk.bytes[2], chunk.bytes[3]]).toEqual([10, 1, 2, 0])
    // At zstd level 1 (columnLevel): level 3's short matches took 10,645 bytes.
    expect(chunk.stored).toBeLessThan(0.52 * 20000)
    expect(columnStorage(reader, { entry: 'tycho.fits', column: 'sweep' }).predicted).toBe(1)
  })

  it('reads and exports the ranked column with its values', async () => {
    const { reader, pkg } = await packed
    expect(await columnValues(reader, { entry: 'tycho.fits', column: 'sweep' })).toEqual(sweep)
    // The CSV's sweep too: a text table's ranked column (kind 9), read with its source's chunk.
    expect(await columnValues(reader, { entry: 'tycho.csv', column: 'sweep' })).toEqual(sweep)
    expect(columnStorage(reader, { entry: 'tycho.csv', column: 'sweep' }).storedBytes).toBeLessThan(
      0.52 * 20000,
    )
    const outputPath = join(work, 'tycho.arrow')
    await exportTable({ packPath: pkg, outputPath, entry: 'tycho.fits', to: 'arrow' })
    expect([...tableFromIPC(readFileSync(outputPath)).getChild('sweep')!.toArray()]).toEqual(sweep)
  })
})
