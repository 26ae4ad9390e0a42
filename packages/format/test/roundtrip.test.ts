import { createHash } from 'node:crypto'
import { loadCodec } from '@astropack/codecs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concatBytes } from '../src/bytes.js'
import { fromBytes, openPackage, PackageWriter, verifyPackage } from '../src/index.js'
import { sameBytes, sampleFiles, testManifest, writePackage } from './helpers.js'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

const pathPart = fc
  .stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.\- ]{0,11}$/)
  .filter((part) => part !== '.' && part !== '..')
const filePath = fc.array(pathPart, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'))
const contents = fc.oneof(
  fc.uint8Array({ maxLength: 20_000 }),
  fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 30_000 }))
    .map(([b, n]) => new Uint8Array(n).fill(b)),
)
/** Distinct paths where no file is also used as a folder of another. */
const files = fc
  .uniqueArray(fc.record({ path: filePath, bytes: contents }), {
    maxLength: 8,
    selector: (file) => file.path,
  })
  .filter((list) => list.every((a) => list.every((b) => !b.path.startsWith(`${a.path}/`))))

describe('container round trip', () => {
  it('gives back every file byte for byte, for any files, codec and chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        files,
        fc.constantFrom('none', 'zstd', 'lz4', 'gzip') as fc.Arbitrary<'none' | 'zstd' | 'lz4' | 'gzip'>,
        fc.integer({ min: 512, max: 9000 }),
        async (list, codec, chunkSize) => {
          const bytes = await writePackage(list, { codec, chunkSize })
          const reader = await openPackage(fromBytes(bytes))
          expect(reader.entries.map((entry) => entry.path)).toEqual(list.map((file) => file.path))
          for (const file of list) {
            const entry = reader.entry(file.path)
            expect(entry.size).toBe(file.bytes.byteLength)
            expect(entry.sha256).toBe(sha256(file.bytes))
            expect(entry.chunkCount).toBe(Math.ceil(file.bytes.byteLength / chunkSize))
            expect(sameBytes(await reader.readEntry(file.path), file.bytes)).toBe(true)
          }
          const verified = await verifyPackage(fromBytes(bytes), { full: true })
          expect(verified.problems).toEqual([])
        },
      ),
      { numRuns: 60 },
    )
  }, 60_000)

  it('keeps mode, mtime, empty files and empty folders', async () => {
    const bytes = await writePackage(
      [
        { path: 'empty.txt', bytes: new Uint8Array(0), mode: 0o600, mtimeMs: 1_234_567_890_123 },
        { path: 'dir/x.bin', bytes: Uint8Array.of(1, 2, 3), mode: 0o755 },
      ],
      { directories: ['dir', 'nothing-inside'] },
    )
    const reader = await openPackage(fromBytes(bytes))
    expect(reader.entry('empty.txt')).toMatchObject({
      kind: 'file',
      size: 0,
      mode: 0o600,
      mtimeMs: 1_234_567_890_123,
    })
    expect(reader.entry('empty.txt').sha256).toBe(sha256(new Uint8Array(0)))
    expect(reader.entry('nothing-inside')).toMatchObject({ kind: 'directory', size: 0 })
    expect(reader.entry('dir/x.bin').mode).toBe(0o755)
    expect(sameBytes(await reader.readEntry('dir/x.bin'), Uint8Array.of(1, 2, 3))).toBe(true)
  })

  it('checks a whole entry read against its SHA-256', async () => {
    const parts: Uint8Array[] = []
    const writer = new PackageWriter({ write: async (bytes) => void parts.push(bytes.slice()) })
    const zstd = await loadCodec('zstd')
    writer.beginFile({ path: 'a.txt', mode: 0o644, mtimeMs: 0 })
    const raw = new TextEncoder().encode('the bytes the index hashed are not these\n')
    await writer.writeChunk({ stored: zstd.encode(raw), rawSize: raw.byteLength, codec: 'zstd' })
    writer.endFile(sha256(new TextEncoder().encode('other bytes')))
    await writer.finish(testManifest())
    const reader = await openPackage(fromBytes(concatBytes(parts)))
    await expect(reader.readEntry('a.txt')).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' })
    // Streamed: every piece first (a streaming consumer has passed them on), then the mismatch.
    const streamed: Uint8Array[] = []
    await expect(
      (async () => {
        for await (const piece of reader.readVerifiedEntryChunks('a.txt')) streamed.push(piece)
      })(),
    ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' })
    expect(sameBytes(concatBytes(streamed), raw)).toBe(true)
  })

  it('repeats an earlier file as records of its chunks, readable on their own; refuses other repeats', async () => {
    const parts: Uint8Array[] = []
    const writer = new PackageWriter({ write: async (bytes) => void parts.push(bytes.slice()) })
    const zstd = await loadCodec('zstd')
    const raw = new TextEncoder().encode('a file copied into two folders\n'.repeat(100))
    writer.beginFile({ path: 'x/a.txt', mode: 0o644, mtimeMs: 0 })
    await writer.writeChunk({ stored: zstd.encode(raw), rawSize: raw.byteLength, codec: 'zstd' })
    writer.endFile(sha256(raw))
    expect(() => writer.repeatFile({ path: 'y/b.txt', mode: 0o600, mtimeMs: 1 }, 'x/missing.txt')).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    )
    writer.repeatFile({ path: 'y/a.txt', mode: 0o600, mtimeMs: 1 }, 'x/a.txt')
    expect(() => writer.repeatFile({ path: 'y/a.txt', mode: 0o600, mtimeMs: 1 }, 'x/a.txt')).toThrow(
      expect.objectContaining({ code: 'USAGE' }), // added twice
    )
    await writer.finish(testManifest())
    const reader = await openPackage(fromBytes(concatBytes(parts)))
    const [a, b] = [reader.entry('x/a.txt'), reader.entry('y/a.txt')]
    expect(b).toMatchObject({ mode: 0o600, size: raw.byteLength, sha256: sha256(raw), chunkCount: 1 })
    expect(b.firstChunk).not.toBe(a.firstChunk)
    expect(reader.chunks[b.firstChunk]).toEqual(reader.chunks[a.firstChunk]) // the same stored bytes
    expect(await reader.readEntry('y/a.txt')).toEqual(raw)
  })

  it('gathers small chunks into few writes, and owes nothing to the buffers it was given', async () => {
    const writes: number[] = []
    const parts: Uint8Array[] = []
    const writer = new PackageWriter({
      write: async (bytes) => {
        writes.push(bytes.byteLength)
        parts.push(bytes.slice())
      },
    })
    const zstd = await loadCodec('zstd')
    const files = Array.from({ length: 2000 }, (_, i) =>
      new TextEncoder().encode(`file ${i}\n`.repeat(1 + (i % 50))),
    )
    const reused = new Uint8Array(1 << 16) // the caller's one buffer, overwritten after every chunk
    for (const [i, raw] of files.entries()) {
      writer.beginFile({ path: `f/${i}.txt`, mode: 0o644, mtimeMs: 0 })
      const frame = zstd.encode(raw)
      reused.set(frame)
      await writer.writeChunk({
        stored: reused.subarray(0, frame.byteLength),
        rawSize: raw.byteLength,
        codec: 'zstd',
      })
      reused.fill(0xff)
      writer.endFile(sha256(raw))
    }
    // One big chunk goes straight through, after what was gathered before it.
    const big = new Uint8Array(3 << 20).map((_, i) => (i * 2654435761) >>> 24)
    writer.beginFile({ path: 'big.bin', mode: 0o644, mtimeMs: 0 })
    await writer.writeChunk({ stored: big, rawSize: big.byteLength, codec: 'none' })
    writer.endFile(sha256(big))
    const size = await writer.finish(testManifest())
    expect(writes.length).toBeLessThan(10) // a write per chunk was 2000 + 4
    expect(writes.reduce((sum, n) => sum + n, 0)).toBe(size)
    const reader = await openPackage(fromBytes(concatBytes(parts)))
    for (const i of [0, 1, 999, 1999]) expect(await reader.readEntry(`f/${i}.txt`)).toEqual(files[i])
    expect(sameBytes(await reader.readEntry('big.bin'), big)).toBe(true)
  })

  it('refuses to finish with a manifest that JSON would make invalid (Infinity and NaN become null)', async () => {
    for (const mean of [Number.POSITIVE_INFINITY, Number.NaN]) {
      const writer = new PackageWriter({ write: async () => {} })
      const tables = [
        {
          entry: 'a.csv',
          name: 'a',
          source: 'csv',
          columns: [{ name: 'x', metrics: { count: 1, nulls: 0, nans: 0, mean } }],
        },
      ]
      await expect(writer.finish(testManifest({ tables })), String(mean)).rejects.toMatchObject({
        code: 'BAD_MANIFEST',
        message: expect.stringContaining('metrics/mean must be number'),
      })
    }
  })

  it('round-trips real FITS, CSV and HDF5 files with every codec', async () => {
    const real = await sampleFiles([
      'fits/sdss-psField-003366-3-0110.fit',
      'tables/jpl-sbdb-asteroids.csv',
      'tables/tycho2-07-first20000.h5',
    ])
    for (const codec of ['zstd', 'lz4', 'gzip', 'none'] as const) {
      const bytes = await writePackage(real, { codec, chunkSize: 256 * 1024 })
      const reader = await openPackage(fromBytes(bytes))
      for (const file of real) expect(sha256(await reader.readEntry(file.path))).toBe(sha256(file.bytes))
      if (codec !== 'none')
        expect(bytes.byteLength).toBeLessThan(real.reduce((s, f) => s + f.bytes.byteLength, 0))
    }
  })
})
