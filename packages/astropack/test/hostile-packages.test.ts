import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { crc32, zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import { exportTable, isAstropackError, packFolder, unpackPackage, validatePackage } from 'astropack' // built: its workers run compiled JavaScript
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scratchFolder } from './round-trip.js'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const READERS = fileURLToPath(new URL('../../readers/test/fixtures/', import.meta.url))
const FITS = fileURLToPath(new URL('./fixtures/fits/', import.meta.url))
const work = scratchFolder('astropack-hostile-')

/** A table of each stored kind: ranked and predicted FITS rows, text lines with predictions, HDF5 datasets. */
const FILES: [string, string][] = [
  [join(READERS, 'same-catalog/tycho2-07-first20000.fits'), 'tycho.fits'],
  [join(FITS, 'pixel_window_n0256.fits'), 'window.fits'],
  [join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'), 'asteroids.csv'],
  [join(SAMPLE, 'tables/tycho2-07-first20000.h5'), 'tycho.h5'],
]

const TRAILER_SIZE = 64
const u64 = (view: DataView, at: number) => Number(view.getBigUint64(at, true))

/**
 * The package with bytes of chunk `chunk` (modulo their count) changed and every checksum made right again, as a hostile or
 * buggy writer could (SPEC §4-§6 by hand: trailer, zstd index, its chunks section, a chunk's CRC-32).
 */
function withEdits(pkg: Uint8Array, chunk: number, edits: readonly [number, number][]): Uint8Array {
  const trailer = new DataView(pkg.buffer, pkg.byteOffset + pkg.length - TRAILER_SIZE, TRAILER_SIZE)
  const [indexOffset, storedSize] = [u64(trailer, 0), u64(trailer, 8)]
  const raw = new Uint8Array(zstdDecompressSync(pkg.subarray(indexOffset, indexOffset + storedSize)))
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  let at = 8
  for (let s = 0; s < view.getUint32(0, true); s++, at += 16 + u64(view, at + 8)) {
    if (view.getUint16(at, true) !== 3) continue // the chunks section
    const record = at + 16 + 8 + (chunk % u64(view, at + 16)) * 24
    const [offset, size] = [u64(view, record), view.getUint32(record + 4 * 2, true)]
    const data = pkg.slice(0, indexOffset)
    for (const [position, value] of edits) if (size > 0) data[offset + (position % size)] = value
    view.setUint32(record + 16, crc32(data.subarray(offset, offset + size)), true)
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
  throw new Error('no chunks section')
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
})
