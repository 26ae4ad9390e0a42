import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { applyTransforms, loadCodec, type TransformStep } from '@astropack/codecs'
import { columnChunkIndexes, columnValues, FEATURE_SPLIT_DELTA, locateColumn } from '@astropack/format'
import type { format } from 'astropack' // built: its workers run compiled JavaScript
import { describe, expect, it } from 'vitest'
import { roundTrip as packedRoundTrip, scratchFolder } from './round-trip.js'

const LAYOUT = fileURLToPath(new URL('../../readers/test/fixtures/hdf5-layout', import.meta.url))
const TYCHO = fileURLToPath(
  new URL('../../../fixtures/sample/tables/tycho2-07-first20000.h5', import.meta.url),
)
const CHUNKED = fileURLToPath(new URL('./fixtures/hdf5-tables/chunked.h5', import.meta.url))
const work = scratchFolder('astropack-hdf5-')
const roundTrip = async (dir: string, name: string) => (await packedRoundTrip(work, dir, name)).reader

/** Each chunk of an entry stored as bytes: where it starts in the file and its transform chain. */
function chunks(reader: format.PackageReader, path: string) {
  let rawOffset = 0
  return reader.chunkIndexes(reader.entry(path)).map((index) => {
    const chunk = reader.chunks[index]!
    const out = { rawOffset, chain: chainName(reader.transformsOf(chunk)) }
    rawOffset += chunk.rawSize
    return out
  })
}

const chainName = (chain: readonly TransformStep[]) => chain.map((s) => `${s.op}/${s.width}`).join('+')

describe('HDF5 stored with types, unpacked byte for byte', () => {
  const dir = join(work, 'hdf5')
  mkdirSync(dir)
  for (const file of readdirSync(LAYOUT).filter((f) => f.endsWith('.h5')))
    copyFileSync(join(LAYOUT, file), join(dir, file))
  copyFileSync(TYCHO, join(dir, 'tycho2.h5'))
  // A file whose root object header claims 4 GiB: the locator refuses it, and it is packed opaque.
  const broken = new Uint8Array(readFileSync(TYCHO))
  const view = new DataView(broken.buffer)
  view.setUint32(Number(view.getBigUint64(64, true)) + 8, 0xffffffff, true)
  writeFileSync(join(dir, 'broken.h5'), broken)
  const packed = roundTrip(dir, 'hdf5')

  it('stores the Tycho-2 sample by dataset: dec on its own, the three side by side as one table', async () => {
    const reader = await packed
    const stored = chunks(reader, 'tycho2.h5')
    // h5py's offsets: dec at 2432, 6 kB of metadata, then phot_vt_mag, ra and sweep one after another.
    expect(stored.map((c) => c.rawOffset)).toEqual([0, 2432, 162432, 168576, 248576, 408576])
    const [head, dec, gap, mag, ra, sweep] = stored.map((c) => c.chain)
    expect([head, gap, sweep]).toEqual(['', '', ''])
    // Magnitudes with three decimals (float32, little-endian) win with the decimal transform, in byte
    // planes high byte first.
    expect(mag).toBe('decimal-le/4+swap-bytes/4+shuffle/4')
    for (const chain of [dec, ra]) expect(chain).toMatch(/shuffle\/8$/)
    const segments = reader.segmentsOf(reader.entry('tycho2.h5'))!
    expect(segments.map((s) => s.layout)).toEqual(['bytes', 'bytes', 'bytes', 'rows'])
    const side = segments[3]!
    expect(side).toMatchObject({ columnMajor: true, rawOffset: 168576, rowCount: 20000, rowWidth: 13 })
    // The sweep, a dataset of its own, stored as ranks in contexts of the magnitude (SPEC §7.1).
    expect(reader.chunks[side.firstChunk + 2]!.rawSize).toBe(20000 + 16)
  })

  it('stores the positions, float32 values plus small corrections, as split differences (feature bit 12)', async () => {
    const reader = await packed
    const [, dec, , , ra] = chunks(reader, 'tycho2.h5')
    const bytes = readFileSync(TYCHO)
    const zstd = await loadCodec('zstd')
    const size = (chain: TransformStep[], raw: Uint8Array) =>
      zstd.encode(applyTransforms(chain, raw)).byteLength
    for (const [stored, start] of [
      [dec!, 2432],
      [ra!, 248576],
    ] as const) {
      expect(stored.chain).toBe('split-delta-le/8+swap-bytes/8+bitshuffle/8')
      const column = bytes.subarray(start, start + 160_000)
      const planes = { op: 'bitshuffle', width: 8 } as const
      const split = size([{ op: 'split-delta-le', width: 8, lowBits: 29 }, planes], column)
      const zigzagged = size([{ op: 'delta-zigzag-le', width: 8 }, planes], column)
      const plain = size([{ op: 'delta-le', width: 8 }, planes], column)
      expect(split).toBeLessThan(zigzagged * 0.99)
      expect(zigzagged).toBeLessThan(plain)
    }
    expect(reader.trailer.requiredFeatures & FEATURE_SPLIT_DELTA).toBe(FEATURE_SPLIT_DELTA)
  })

  it('stores a compound dataset as rows, one column per member, with a table record', async () => {
    const reader = await packed
    const record = reader.segmentsOf(reader.entry('compound.h5'))!.find((s) => s.layout === 'rows')!
    expect(record.rawOffset).toBe(2048)
    expect(record.layout === 'rows' && record.rowWidth).toBe(43)
    expect(record.layout === 'rows' && record.columns.map((c) => c.width)).toEqual([8, 8, 8, 4, 8, 6, 1])
    // The id column (an arithmetic sequence of int64) is stored as little-endian differences.
    const idChunk = reader.chunks[record.firstChunk]!
    expect(chainName(reader.transformsOf(idChunk))).toBe('delta-le/8+swap-bytes/8+shuffle/8')
    const table = reader.manifest.tables!.find((t) => t.entry === 'compound.h5')!
    expect(table).toMatchObject({ name: '/stars', source: 'hdf5', rows: 3000, dataOffset: 2048 })
    expect(table.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'id:<i8',
      'ra:<f8',
      'dec:<f8',
      'mag:<f4',
      'pm:<f4(2,)',
      'name:|S6',
      'flag:|u1',
    ])
  })

  it('uses big-endian transforms for big-endian datasets', async () => {
    const reader = await packed
    const stored = chunks(reader, 'bigendian.h5')
    // be_f8 (80 kB) at 2048 and be_i4 (a sequence, 80 kB) after it are chunks of their own; be_u2 is small.
    expect(stored.map((c) => c.rawOffset)).toEqual([0, 2048, 82048, 162048])
    expect(stored[2]!.chain).toBe('delta-be/4+shuffle/4')
    // (be_f8's 600-odd distinct values compress best as they are.)
    expect(stored.filter((c) => c.chain.includes('-le'))).toEqual([])
  })

  it('stores the raw chunks of unfiltered chunked datasets typed, adjacent chunks as one range', async () => {
    const reader = await packed
    const stored = chunks(reader, 'chunked.h5')
    // h5py's chunk offsets: /series' two 64 KiB chunks at 3496 (sorted f8), /grid's four 16 KiB
    // chunks at 137456 (i4, 64 KiB in all), then /growing (6000 bytes, too small) and the gzip chunks.
    expect(stored.map((c) => c.rawOffset)).toEqual([0, 3496, 134568, 137456, 202992])
    const [head, series, gap, grid, tail] = stored.map((c) => c.chain)
    expect([head, gap, tail]).toEqual(['', '', ''])
    // Sorted float64: the differences of neighbours' bits are small integers (zigzag doubles them: one
    // more bit plane, all zeros, so the candidate tried first of the two is kept).
    expect(series).toBe('delta-zigzag-le/8+swap-bytes/8+bitshuffle/8')
    expect(grid).toMatch(/shuffle\/4$/)
  })

  it('keeps small chunked, compressed, small and unreadable files whole (one opaque chunk each)', async () => {
    const reader = await packed
    for (const name of ['chunked-gzip.h5', 'compact.h5', 'empty.h5', 'nested.h5', 'broken.h5']) {
      expect(
        chunks(reader, name).map((c) => c.rawOffset),
        name,
      ).toEqual([0])
    }
  })

  it('drops datasets whose storage overlaps another or runs past the end of the file', async () => {
    const original = new Uint8Array(readFileSync(TYCHO))
    /** Rewrites the version 3 contiguous layout message of the dataset at `address` (h5py's offsets). */
    const relayout = (
      bytes: Uint8Array,
      address: number,
      size: number,
      to: { address?: number; size?: number },
    ) => {
      const view = new DataView(bytes.buffer)
      for (let at = 0; at + 18 <= bytes.byteLength; at++) {
        if (bytes[at] !== 3 || bytes[at + 1] !== 1) continue
        if (
          view.getBigUint64(at + 2, true) !== BigInt(address) ||
          view.getBigUint64(at + 10, true) !== BigInt(size)
        )
          continue
        view.setBigUint64(at + 2, BigInt(to.address ?? address), true)
        view.setBigUint64(at + 10, BigInt(to.size ?? size), true)
        return
      }
      throw new Error(`no layout message for ${address}`)
    }
    const dir = join(work, 'hdf5-bad-storage')
    mkdirSync(dir)
    const overlapping = Uint8Array.from(original)
    relayout(overlapping, 2432, 160000, { address: 248576 + 8 }) // dec now overlaps ra
    writeFileSync(join(dir, 'overlapping.h5'), overlapping)
    const outside = Uint8Array.from(original)
    relayout(outside, 168576, 80000, { size: 1e9 }) // phot_vt_mag now runs past the end
    writeFileSync(join(dir, 'outside.h5'), outside)
    const reader = await roundTrip(dir, 'hdf5-bad-storage')
    // Only phot_vt_mag is typed in the first, only dec and ra in the second.
    expect(chunks(reader, 'overlapping.h5').map((c) => c.rawOffset)).toEqual([0, 168576, 248576])
    expect(chunks(reader, 'outside.h5').map((c) => c.rawOffset)).toEqual([0, 2432, 162432, 248576, 408576])
  })
})

describe('chunked, unfiltered tables and vectors stored as rows, unpacked byte for byte', () => {
  it('stores runs of chunks of a compound dataset and of (N, 3) vectors column by column', async () => {
    const dir = join(work, 'hdf5-chunked')
    mkdirSync(dir)
    copyFileSync(CHUNKED, join(dir, 'chunked.h5'))
    const reader = await roundTrip(dir, 'hdf5-chunked')
    const rows = reader.segmentsOf(reader.entry('chunked.h5'))!.filter((s) => s.layout === 'rows')
    // /stars: 157 chunks of 64 rows of 21 bytes (the last one padded) in three runs; /Coordinates: 10 of
    // 1024 x 3 doubles; /reversed: 4 chunks of 1024 of /stars' rows, in the file last chunk first.
    expect(rows.map((s) => s.layout === 'rows' && [s.rowWidth, s.rawLength])).toEqual([
      [21, 65 * 64 * 21],
      [21, 57 * 64 * 21],
      [21, 35 * 64 * 21],
      [24, 10 * 1024 * 24],
      [21, 4 * 1024 * 21],
    ])
    const [stars, , , vectors] = rows.map((s) =>
      Array.from({ length: s.chunkCount }, (_, i) =>
        chainName(reader.transformsOf(reader.chunks[s.firstChunk + i]!)),
      ),
    )
    // Magnitudes with three decimals as float32 take the decimal step, as in a contiguous table.
    expect(stars![2]!.split('+')[0]).toBe('decimal-le/4')
    // Each component as float64 values: XOR or difference with the previous one first.
    expect(vectors!.every((chain) => /^(xor|delta-le|delta-zigzag-le|split-delta-le)\/8\+/.test(chain))).toBe(
      true,
    )
    // /stars' runs hold its rows in order: one table of its 10000 rows (not the runs' 10048), over the three.
    // /reversed is not listed: its first bytes are not its first rows.
    expect(
      reader.manifest.tables?.map((t) => [t.name, t.rows, t.segments, t.columns[2]?.metrics?.count]),
    ).toEqual([['/stars', 10000, rows.slice(0, 3).map((s) => s.rawOffset), 10000]])
    // Rows across the first run's end (65 x 64 = 4160) come from the chunks of both runs, cut to the range.
    const ref = { entry: 'chunked.h5', column: 'ra' }
    const all = await columnValues(reader, ref)
    expect(all).toHaveLength(10000)
    expect(await columnValues(reader, { ...ref, rows: [4150, 4170] })).toEqual(all.slice(4150, 4170))
    const location = locateColumn(reader, ref)
    const [first, second] = location.kind === 'rows' ? location.parts : []
    expect(columnChunkIndexes(location, [4150, 4170])).toEqual([
      first!.segment.firstChunk + (first!.segment.chunkCount - 4) + first!.slot,
      second!.segment.firstChunk + second!.slot,
    ])
    // Typed, its chunks take 367,978 bytes: less than zstd -19 makes of the file (383,845; zstd -3: 410,861).
    const stored = reader.chunks.reduce((sum, chunk) => sum + chunk.storedSize, 0)
    expect(stored).toBeLessThan(383_845)
  })
})
