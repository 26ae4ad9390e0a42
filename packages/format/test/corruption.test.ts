import { createHash } from 'node:crypto'
import { loadCodec } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
import { concatBytes } from '../src/bytes.js'
import {
  fromBytes,
  HEADER_SIZE,
  isAstropackError,
  openPackage,
  PackageWriter,
  TRAILER_SIZE,
  verifyPackage,
  withReadStats,
} from '../src/index.js'
import { sampleFiles, testManifest, writePackage } from './helpers.js'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** A small package of real data with many chunks, so every region (header, chunks, index, trailer) is small. */
async function smallPackage() {
  const [csv] = await sampleFiles(['tables/jpl-sbdb-asteroids.csv'])
  const [fits] = await sampleFiles(['fits/wmap7-W-iqu-nside32.fits'])
  return writePackage(
    [
      { path: 'asteroids.csv', bytes: csv!.bytes.subarray(0, 12_000) },
      { path: 'maps/wmap.fits', bytes: fits!.bytes.subarray(0, 9_000) },
    ],
    { chunkSize: 2048, directories: ['maps'] },
  )
}

describe('a damaged package is reported, never trusted', () => {
  it('detects a flipped byte anywhere, in quick mode, with a typed problem', async () => {
    const good = await smallPackage()
    expect((await verifyPackage(fromBytes(good))).isValid).toBe(true)
    for (let at = 0; at < good.byteLength; at++) {
      const bad = good.slice()
      bad[at]! ^= 0x10
      const result = await verifyPackage(fromBytes(bad))
      if (result.isValid) throw new Error(`flip at offset ${at} of ${good.byteLength} went unnoticed`)
      for (const problem of result.problems) expect(problem.code).toMatch(/^[A-Z_]+$/)
    }
  }, 120_000)

  it('names the entry and offset of a damaged chunk', async () => {
    const good = await smallPackage()
    const reader = await openPackage(fromBytes(good))
    const entry = reader.entry('maps/wmap.fits')
    const chunk = reader.chunks[entry.firstChunk + 1]!
    const bad = good.slice()
    bad[chunk.offset + 3]! ^= 0xff
    const result = await verifyPackage(fromBytes(bad), { full: true })
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'CHECKSUM_MISMATCH', entry: 'maps/wmap.fits', offset: chunk.offset }),
    ])
  })

  it('checks many small files in few reads, and names every damaged one in entry order', async () => {
    const [csv] = await sampleFiles(['tables/jpl-sbdb-asteroids.csv'])
    const files = Array.from({ length: 400 }, (_, i) => ({
      path: `f/${String(i).padStart(3, '0')}.csv`,
      bytes: csv!.bytes.subarray(i * 97, i * 97 + 300 + (i % 7) * 50),
    }))
    const good = await writePackage(files, { chunkSize: 4096 })
    const reads = withReadStats(fromBytes(good))
    expect((await verifyPackage(reads)).isValid).toBe(true)
    expect(reads.stats.requests).toBeLessThan(10) // a read per file before: 400
    // A file stored as records of an earlier file's chunk is damaged with it.
    const parts: Uint8Array[] = []
    const writer = new PackageWriter({ write: async (bytes) => void parts.push(bytes.slice()) })
    const zstd = await loadCodec('zstd')
    for (const file of files) {
      writer.beginFile({ path: file.path, mode: 0o644, mtimeMs: 0 })
      await writer.writeChunk({
        stored: zstd.encode(file.bytes),
        rawSize: file.bytes.byteLength,
        codec: 'zstd',
      })
      writer.endFile(sha256(file.bytes))
    }
    writer.repeatFile({ path: 'g/copy-of-250.csv', mode: 0o644, mtimeMs: 0 }, 'f/250.csv')
    await writer.finish(testManifest())
    const bad = concatBytes(parts)
    const reader = await openPackage(fromBytes(bad))
    for (const path of ['f/300.csv', 'f/250.csv', 'f/010.csv'])
      bad[reader.chunks[reader.entry(path).firstChunk]!.offset + 5]! ^= 1
    const result = await verifyPackage(fromBytes(bad))
    expect(result.problems.map((problem) => [problem.code, problem.entry])).toEqual([
      ['CHECKSUM_MISMATCH', 'f/010.csv'],
      ['CHECKSUM_MISMATCH', 'f/250.csv'],
      ['CHECKSUM_MISMATCH', 'f/300.csv'],
      ['CHECKSUM_MISMATCH', 'g/copy-of-250.csv'],
    ])
  })

  it('detects every truncation and appended bytes', async () => {
    const good = await smallPackage()
    for (let length = 0; length < good.byteLength; length++) {
      const result = await verifyPackage(fromBytes(good.subarray(0, length)))
      if (result.isValid) throw new Error(`truncation to ${length} bytes went unnoticed`)
    }
    const longer = new Uint8Array(good.byteLength + 10)
    longer.set(good)
    expect((await verifyPackage(fromBytes(longer))).problems[0]?.code).toBe('TRUNCATED')
  }, 60_000)

  it('refuses a damaged package on open with a typed error, not a crash', async () => {
    const good = await smallPackage()
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['header only', good.subarray(0, HEADER_SIZE)],
      ['trailer cut', good.subarray(0, good.byteLength - 1)],
      ['index cut', good.subarray(0, good.byteLength - TRAILER_SIZE - 5)],
      ['random bytes', Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff)],
    ]
    for (const [name, bytes] of cases) {
      const error = await openPackage(fromBytes(bytes)).catch((e: unknown) => e)
      expect(isAstropackError(error), name).toBe(true)
    }
  })

  it('never decodes a chunk to more than its declared size (decompression bomb)', async () => {
    // A 1 MiB run of zeros compresses to a few bytes; declare it as 1 KiB and the reader must refuse.
    const { loadCodec } = await import('@astropack/codecs')
    const zstd = await loadCodec('zstd')
    const bomb = zstd.encode(new Uint8Array(1 << 20))
    expect(() => zstd.decode(bomb, 1024)).toThrow(expect.objectContaining({ code: 'CORRUPT_CHUNK' }))
  })
})
