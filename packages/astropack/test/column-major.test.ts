import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadCodec } from '@astropack/codecs'
import {
  columnChunkIndexes,
  FEATURE_COLUMN_MAJOR_ROWS,
  FEATURE_RANKED_COLUMNS,
  fromBytes,
  locateColumn,
  openPackage,
  openUrl,
  readColumn,
} from '@astropack/format'
import { EntryByteSource, exportTable, type format, packFolder, unpackPackage } from 'astropack' // built: its workers run compiled JavaScript
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RangeServer, serveRanges } from '../../format/test/range-server.js'
import { roundTrip, scratchFolder, sha256 } from './round-trip.js'

const SIDE_BY_SIDE = fileURLToPath(new URL('./fixtures/hdf5-tables/side-by-side.h5', import.meta.url))
/** The same 20000 stars as a FITS binary table (ra, dec D, phot_vt_mag E, sweep B): big-endian rows. */
const SAME_STARS_FITS = fileURLToPath(
  new URL('../../readers/test/fixtures/same-catalog/tycho2-07-first20000.fits', import.meta.url),
)
const work = scratchFolder('astropack-column-major-')
const file = readFileSync(SIDE_BY_SIDE)
const ROWS = 20000
/** Where h5py put each dataset's values (h5py's `id.get_offset()`), and their widths. */
const DATASETS = [
  ['ra', 3248, 8],
  ['dec', 163248, 8],
  ['phot_vt_mag', 323248, 4],
  ['sweep', 403248, 1],
] as const

/** The rows segments of an entry. */
function rowsSegments(reader: format.PackageReader, path: string) {
  return (reader.segmentsOf(reader.entry(path)) ?? []).filter((segment) => segment.layout === 'rows')
}

/** A column's bytes as read through the table view, rows [start, end). */
async function columnBytes(reader: format.PackageReader, column: string, rows?: [number, number]) {
  const pieces: Uint8Array[] = []
  for await (const piece of readColumn(reader, { entry: 'side.h5', column, ...(rows ? { rows } : {}) }))
    pieces.push(piece.bytes)
  return Buffer.concat(pieces)
}

const input = join(work, 'in')
mkdirSync(input)
copyFileSync(SIDE_BY_SIDE, join(input, 'side.h5'))
const packed = roundTrip(work, input, 'side')
/** Packed in groups of 3120 rows (64 KiB of 21-byte rows): seven, the last one short. */
const small = (async () => {
  const pkg = join(work, 'small.astropack')
  await packFolder({ sourcePath: input, outputPath: pkg, chunkSize: 64 * 1024 })
  return { pkg, reader: await openPackage(fromBytes(readFileSync(pkg))) }
})()

describe('HDF5 datasets side by side, stored as one column-major table', () => {
  it('stores the four datasets as one rows segment, column after column (feature bit 10)', async () => {
    const { reader } = await packed
    const [segment, ...others] = rowsSegments(reader, 'side.h5')
    expect(others).toEqual([])
    expect(segment).toMatchObject({ columnMajor: true, rawOffset: 3248, rowCount: ROWS, rowWidth: 21 })
    expect(segment!.layout === 'rows' && segment!.columns.map((c) => c.width)).toEqual([8, 8, 4, 1])
    expect(reader.trailer.requiredFeatures & FEATURE_COLUMN_MAJOR_ROWS).toBe(FEATURE_COLUMN_MAJOR_ROWS)
  })

  it('stores each column as the same stars from a big-endian FITS table are stored (swap-bytes)', async () => {
    const { reader } = await packed
    const dir = join(work, 'fits')
    mkdirSync(dir)
    copyFileSync(SAME_STARS_FITS, join(dir, 'stars.fits'))
    const { reader: fits } = await roundTrip(work, dir, 'fits')
    const storedSizes = (r: format.PackageReader, path: string) => {
      const segment = rowsSegments(r, path)[0]!
      return Array.from(
        { length: segment.chunkCount },
        (_, i) => r.chunks[segment.firstChunk + i]!.storedSize,
      )
    }
    // Little-endian columns reversed to big-endian before their planes: the same frames, byte for byte.
    expect(storedSizes(reader, 'side.h5')).toEqual(storedSizes(fits, 'stars.fits'))
  })

  it("ranks the sweep in contexts of the magnitude, a dataset of its own: under 3/5 of zstd's bytes for it", async () => {
    const { reader } = await packed
    const [segment] = rowsSegments(reader, 'side.h5')
    const sweep = reader.chunks[segment!.firstChunk + 3]!
    // A ranked chunk holds its 16-byte record before one rank a row (SPEC §7.1).
    expect(sweep.rawSize).toBe(ROWS + 16)
    expect(reader.trailer.requiredFeatures & FEATURE_RANKED_COLUMNS).toBe(FEATURE_RANKED_COLUMNS)
    const zstd = await loadCodec('zstd')
    const alone = zstd.encode(file.subarray(403248, 403248 + ROWS), 3).byteLength
    expect(sweep.storedSize).toBeLessThan(alone * 0.6)
  })

  it('reads each column, whole and in part, as the bytes at its dataset offset', async () => {
    for (const { reader } of [await packed, await small]) {
      for (const [name, offset, width] of DATASETS) {
        const expected = file.subarray(offset, offset + ROWS * width)
        expect(sha256(await columnBytes(reader, name)), name).toBe(sha256(expected))
        // Across a group boundary of the small package (rows 3120).
        const part = await columnBytes(reader, name, [3100, 3150])
        expect(part.equals(expected.subarray(3100 * width, 3150 * width)), name).toBe(true)
      }
    }
  })

  it('unpacks byte for byte in groups too, with workers and through the reader alone', async () => {
    const { reader, pkg } = await small
    const [segment] = rowsSegments(reader, 'side.h5')
    expect(segment).toMatchObject({ columnMajor: true, rowsPerGroup: 3120, chunkCount: 7 * 4 })
    expect(sha256(await reader.readEntry('side.h5'))).toBe(sha256(file))
    const out = join(work, 'small-out')
    await unpackPackage({ packPath: pkg, outputPath: out })
    expect(sha256(readFileSync(join(out, 'side.h5')))).toBe(sha256(file))
  })

  it('serves any byte range of the file from the groups holding it (EntryByteSource)', async () => {
    const { reader } = await small
    const source = new EntryByteSource(reader, reader.entry('side.h5'))
    const raEnd = 3248 + ROWS * 8
    const ranges = [
      [0, 5000], // the metadata, then ra's first values
      [3248 + 3120 * 8 - 12, 3248 + 3120 * 8 + 12], // across ra's first group boundary
      [raEnd - 100, raEnd + 100], // from ra into dec
      [file.length - 30000, file.length], // the magnitudes' end, then every sweep code
    ]
    for (const [start, end] of ranges) {
      const bytes = await source.slice(start!, end!)
      expect(Buffer.from(bytes).equals(file.subarray(start, end)), `${start}..${end}`).toBe(true)
    }
  })
})

describe('export of a column-major table', () => {
  it('writes a CSV with the values of the datasets, read through the package', async () => {
    const output = join(work, 'side.csv')
    await exportTable({ packPath: (await packed).pkg, outputPath: output, entry: 'side.h5', to: 'csv' })
    const [header, ...lines] = readFileSync(output, 'latin1').trimEnd().split('\n')
    const names = header!.split(',')
    expect([...names].sort()).toEqual(DATASETS.map(([name]) => name).sort())
    const fields = lines.map((line) => line.split(',').map(Number))
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
    const value = {
      8: (at: number) => view.getFloat64(at, true),
      4: (at: number) => view.getFloat32(at, true),
      1: (at: number) => view.getUint8(at),
    }
    for (const [name, offset, width] of DATASETS) {
      const c = names.indexOf(name)
      const exported = fields.map((row) => (width === 4 ? Math.fround(row[c]!) : row[c]))
      expect(exported, name).toEqual(
        Array.from({ length: ROWS }, (_, row) => value[width](offset + row * width)),
      )
    }
  })
})

describe('one column of a column-major table over HTTP', () => {
  let server: RangeServer
  beforeAll(async () => {
    server = await serveRanges(readFileSync((await packed).pkg))
  })
  afterAll(() => server.close())

  it("reads that column's chunks, and a ranked one its source's too", async () => {
    const remote = await openPackage(await openUrl(server.url()))
    const [segment] = rowsSegments(remote, 'side.h5')
    const chunkOf = (slot: number) => segment!.firstChunk + slot
    for (const [name, offset, width] of DATASETS) {
      const location = locateColumn(remote, { entry: 'side.h5', column: name })
      server.reset()
      const bytes = await columnBytes(remote, name)
      expect(bytes.equals(file.subarray(offset, offset + ROWS * width)), name).toBe(true)
      const own = remote.storedBytes(columnChunkIndexes(location))
      // The sweep's ranks need the magnitudes of their group (slot 2): one more range request.
      const sources = name === 'sweep' ? remote.storedBytes([chunkOf(2)]) : 0
      expect(server.sent, name).toBe(own + sources)
    }
  })
})
