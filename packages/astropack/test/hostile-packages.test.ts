import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { crc32, zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import { columnValues, fromBytes, openPackage } from '@astropack/format'
import {
  exportTable,
  exportZip,
  isAstropackError,
  packFolder,
  unpackPackage,
  validatePackage,
} from 'astropack' // built: its workers run compiled JavaScript
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scratchFolder } from './round-trip.js'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const READERS = fileURLToPath(new URL('../../readers/test/fixtures/', import.meta.url))
const FITS = fileURLToPath(new URL('./fixtures/fits/', import.meta.url))
const HDF5 = fileURLToPath(new URL('./fixtures/hdf5-tables/', import.meta.url))
const work = scratchFolder('astropack-hostile-')

/**
 * A table of each stored kind: ranked and predicted FITS rows, text lines with predictions, HDF5 datasets
 * on their own and side by side (a column-major rows segment with a ranked column).
 */
const FILES: [string, string][] = [
  [join(READERS, 'same-catalog/tycho2-07-first20000.fits'), 'tycho.fits'],
  [join(FITS, 'pixel_window_n0256.fits'), 'window.fits'],
  [join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'), 'asteroids.csv'],
  [join(SAMPLE, 'tables/tycho2-07-first20000.h5'), 'tycho.h5'],
  [join(HDF5, 'side-by-side.h5'), 'side.h5'],
]

const TRAILER_SIZE = 64
const u64 = (view: DataView, at: number) => Number(view.getBigUint64(at, true))

/**
 * The package with `change` made to its data and raw index, and every checksum made right again, as a
 * hostile or buggy writer could (SPEC §4-§6 by hand: trailer, zstd index and its CRC-32).
 */
function rewritten(pkg: Uint8Array, change: (index: DataView, data: Uint8Array) => void): Uint8Array {
  const trailer = new DataView(pkg.buffer, pkg.byteOffset + pkg.length - TRAILER_SIZE, TRAILER_SIZE)
  const [indexOffset, storedSize] = [u64(trailer, 0), u64(trailer, 8)]
  const raw = new Uint8Array(zstdDecompressSync(pkg.subarray(indexOffset, indexOffset + storedSize)))
  const data = pkg.slice(0, indexOffset)
  change(new DataView(raw.buffer, raw.byteOffset, raw.byteLength), data)
  const stored = new Uint8Array(zstdCompressSync(raw))
  const out = new Uint8Array(indexOffset + stored.length + TRAILER_SIZE)
  out.set(data)
  out.set(stored, indexOffset)
  const end = out.length - TRAILER_SIZE
  out.set(pkg.subarray(pkg.length - TRAILER_SIZE), end)
  const newTrailer = new DataView(out.buffer, end, TRAILER_SIZE)
  newTrailer.setBigUint64(8, BigInt(stored.length), true)
  newTrailer.setBigUint64(24, BigInt(out.length), true)
  newTrailer.setUint32(32, crc32(stored), true)
  newTrailer.setUint32(52, crc32(out.subarray(end, end + 52)), true)
  return out
}

/** The offset of section `type`'s payload in a raw index (SPEC §6: u32 count, then 16-byte headers). */
function sectionAt(index: DataView, type: number): number {
  let at = 8
  for (let s = 0; s < index.getUint32(0, true); s++, at += 16 + u64(index, at + 8))
    if (index.getUint16(at, true) === type) return at + 16
  throw new Error(`no section ${type}`)
}

/**
 * Visits each record of section `type` (a u64 count, then records of their own sizes: SPEC §6); `visit`
 * may change the record and returns its size.
 */
function eachRecord(index: DataView, type: number, visit: (at: number) => number): void {
  const section = sectionAt(index, type)
  let at = section + 8
  for (let r = 0; r < u64(index, section); r++) at += visit(at)
}

/** The package with bytes of chunk `chunk` (modulo their count) changed, and its CRC-32 made right. */
function withEdits(pkg: Uint8Array, chunk: number, edits: readonly [number, number][]): Uint8Array {
  return rewritten(pkg, (index, data) => {
    const chunks = sectionAt(index, 3)
    const record = chunks + 8 + (chunk % u64(index, chunks)) * 24
    const [offset, size] = [u64(index, record), index.getUint32(record + 8, true)]
    for (const [position, value] of edits) if (size > 0) data[offset + (position % size)] = value
    index.setUint32(record + 16, crc32(data.subarray(offset, offset + size)), true)
  })
}

/** Runs `step`; an error it throws must be a typed one (with a code), not a crash of some decoder. */
async function typedOrDone(step: () => Promise<unknown>): Promise<void> {
  try {
    await step()
  } catch (error) {
    if (!isAstropackError(error)) throw error
  }
}

describe('packages whose checksums are right but whose chunks are not', () => {
  const input = join(work, 'in')
  mkdirSync(input)
  for (const [from, to] of FILES) copyFileSync(from, join(input, to))
  const pkgPath = join(work, 'clean.astropack')
  // Stored without a codec, a chunk's bytes are its transformed data: edits reach the decoders.
  const packed = packFolder({ sourcePath: input, outputPath: pkgPath, compression: 'none' })

  it('give typed errors from validate, unpack and export, never a crash', async () => {
    await packed
    const clean = new Uint8Array(readFileSync(pkgPath))
    const edit = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(edit, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...FILES.map(([, entry]) => entry)),
        async (index, edits, entry) => {
          const path = join(work, 'hostile.astropack')
          writeFileSync(path, withEdits(clean, index, edits))
          const result = await validatePackage({ packPath: path, checksumVerification: 'full' })
          // Without I/O, an IO problem would be a decoder's own exception passed on.
          for (const problem of result.errors) expect(problem.code).not.toBe('IO')
          const outputPath = join(work, 'out')
          await typedOrDone(() => unpackPackage({ packPath: path, outputPath, overwrite: true }))
          await typedOrDone(() =>
            exportTable({
              packPath: path,
              outputPath: `${outputPath}.csv`,
              entry,
              to: 'csv',
              overwrite: true,
            }),
          )
        },
      ),
      { numRuns: 40 },
    )
  })

  it('refuse a text table whose index has fewer columns than its manifest, with a typed error', async () => {
    await packed
    const clean = new Uint8Array(readFileSync(pkgPath))
    // The text table's segment (layout 2) says 1 column: the CSV has 20.
    const path = join(work, 'one-column.astropack')
    writeFileSync(
      path,
      rewritten(clean, (index) =>
        eachRecord(index, 5, (at) => {
          const [layout, columns] = [index.getUint8(at + 40), index.getUint16(at + 42, true)]
          if (layout === 2) index.setUint16(at + 42, 1, true)
          return 56 + (layout === 1 || layout === 3 ? 8 * columns : 0)
        }),
      ),
    )
    const reader = await openPackage(fromBytes(readFileSync(path)))
    await expect(columnValues(reader, { entry: 'asteroids.csv', column: 'H' })).rejects.toMatchObject({
      code: 'BAD_MANIFEST',
    })
    const result = await validatePackage({ packPath: path, checksumVerification: 'full' })
    expect(result.errors.map((e) => e.code)).not.toContain('IO')
    expect(result.isValid).toBe(false)
  })

  it('fail an export that reads a file whole, and a ZIP of it, when the file is not the one packed', async () => {
    await packed
    const clean = new Uint8Array(readFileSync(pkgPath))
    // Every chunk intact, the asteroid CSV's SHA-256 in the index one bit off (SPEC §6: entry records).
    const path = join(work, 'other-sha256.astropack')
    writeFileSync(
      path,
      rewritten(clean, (index) =>
        eachRecord(index, 2, (at) => {
          const length = index.getUint16(at + 2, true)
          const name = new TextDecoder().decode(
            new Uint8Array(index.buffer, index.byteOffset + at + 72, length),
          )
          if (name === 'asteroids.csv') index.setUint8(at + 40, index.getUint8(at + 40) ^ 1)
          return 72 + length
        }),
      ),
    )
    const outputPath = join(work, 'other-sha256')
    for (const to of ['parquet', 'csv'] as const) {
      await expect(
        exportTable({ packPath: path, outputPath: `${outputPath}.${to}`, entry: 'asteroids.csv', to }),
      ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' })
      expect(existsSync(`${outputPath}.${to}`)).toBe(false)
    }
    await expect(
      exportZip({ packPath: path, outputPath: `${outputPath}.zip`, entries: ['asteroids.csv'] }),
    ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' })
    expect(existsSync(`${outputPath}.zip`)).toBe(false)
    // The other files are untouched: a ZIP of them is made.
    await exportZip({ packPath: path, outputPath: `${outputPath}.zip`, entries: ['tycho.fits'] })
  })

  it('refuse ranks of a column-major table whose source is the column itself or past the columns', async () => {
    await packed
    const clean = new Uint8Array(readFileSync(pkgPath))
    const reader = await openPackage(fromBytes(clean))
    const segment = reader.segmentsOf(reader.entry('side.h5'))!.find((s) => s.layout === 'rows')!
    const sweep = segment.firstChunk + 3 // group 0's fourth column, stored raw: its record comes first
    expect(reader.chunks[sweep]!.rawSize).toBe(20000 + 16)
    for (const source of [3, 9]) {
      const path = join(work, `ranked-source-${source}.astropack`)
      writeFileSync(path, withEdits(clean, sweep, [[2, source]]))
      const hostile = await openPackage(fromBytes(readFileSync(path)))
      await expect(columnValues(hostile, { entry: 'side.h5', column: 'sweep' })).rejects.toMatchObject({
        code: 'CORRUPT_CHUNK',
      })
      await expect(
        unpackPackage({ packPath: path, outputPath: join(work, `ranked-${source}`) }),
      ).rejects.toMatchObject({ code: 'CORRUPT_CHUNK' })
    }
  })
})
