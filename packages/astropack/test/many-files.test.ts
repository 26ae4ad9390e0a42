import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { format, packFolder, unpackPackage, validatePackage } from 'astropack' // built: its workers run compiled JavaScript
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BufferPool, pooledSize } from '../src/buffer-pool.js'
import { BoundedTasks } from '../src/ordered-queue.js'
import { FIRST_READ_BYTES, SourceFile, SourceFiles } from '../src/source-file.js'
import type { SourceEntry } from '../src/walk.js'
import { scratchFolder, sha256 } from './round-trip.js'

const SAMPLE = fileURLToPath(new URL('../../../fixtures/sample/', import.meta.url))
const work = scratchFolder('astropack-many-files-')
const KiB = 1024

/** Real bytes to cut small files from: the sample's CSV, FITS and HDF5 files one after another. */
const real = Buffer.concat(
  [
    'tables/jpl-sbdb-asteroids.csv',
    'fits/sdss-psField-003366-3-0110.fit',
    'tables/tycho2-07-first20000.h5',
  ].map((file) => readFileSync(join(SAMPLE, file))),
)

/** Sizes around the first read (64 KiB) and the planners' floor (16 KiB), and many small ones. */
const EDGE_SIZES = [
  0,
  1,
  100,
  16 * KiB - 1,
  16 * KiB,
  FIRST_READ_BYTES - 1,
  FIRST_READ_BYTES,
  FIRST_READ_BYTES + 1,
]

function entryOf(dir: string, name: string): SourceEntry {
  const info = statSync(join(dir, name))
  return { path: name, absolutePath: join(dir, name), kind: 'file', size: info.size, mode: 0o644, mtimeMs: 0 }
}

describe('a folder of many small files', () => {
  const source = join(work, 'small')
  const names: string[] = []
  let at = 0
  for (let i = 0; i < 600; i++) {
    const size = i < EDGE_SIZES.length ? EDGE_SIZES[i]! : (i * 7919) % (12 * KiB)
    const name = `d${i % 7}/e${i % 3}/f${i}.bin`
    mkdirSync(join(source, `d${i % 7}/e${i % 3}`), { recursive: true })
    at = (at + 4099) % (real.byteLength - size)
    writeFileSync(join(source, name), real.subarray(at, at + size))
    utimesSync(join(source, name), 1e9 + i * 61, 1e9 + i * 61)
    if (i % 5 === 0) chmodSync(join(source, name), 0o600)
    names.push(name)
  }
  // Copies of small files (stored once) and files of a copy's size that differ in their last byte.
  for (const i of [20, 21, 22]) {
    const bytes = readFileSync(join(source, names[i]!))
    writeFileSync(join(source, `copy-${i}.bin`), bytes)
    if (bytes.byteLength > 0) bytes[bytes.byteLength - 1]! ^= 1
    writeFileSync(join(source, `edited-${i}.bin`), bytes)
  }

  it.each([
    ['on two workers', 2],
    ['on this thread (the default for small inputs)', undefined],
  ])('come back byte for byte, with their times and modes, %s', async (label, threads) => {
    const pkg = join(work, `small-${threads ?? 'inline'}.astropack`)
    const packed = await packFolder({ sourcePath: source, outputPath: pkg, threads })
    expect(packed.files, label).toBe(606)
    expect(await validatePackage({ packPath: pkg, checksumVerification: 'full' })).toMatchObject({
      isValid: true,
    })
    const out = join(work, `small-${threads ?? 'inline'}-out`)
    await unpackPackage({ packPath: pkg, outputPath: out, threads })
    const files = readdirSync(source, { recursive: true }).filter((name) =>
      statSync(join(source, String(name))).isFile(),
    )
    expect(files.length).toBe(606)
    for (const name of files.map(String)) {
      const [a, b] = [statSync(join(source, name)), statSync(join(out, name))]
      expect(sha256(readFileSync(join(out, name))), name).toBe(sha256(readFileSync(join(source, name))))
      expect(b.mode, name).toBe(a.mode)
      expect(Math.round(b.mtimeMs), name).toBe(Math.round(a.mtimeMs))
    }
    const reader = await format.openPackage(format.fromBytes(readFileSync(pkg)))
    const chunksOf = (path: string) => {
      const entry = reader.entry(path)
      return Array.from({ length: entry.chunkCount }, (_, i) => reader.chunks[entry.firstChunk + i])
    }
    for (const i of [20, 21, 22]) {
      expect(chunksOf(`copy-${i}.bin`)).toEqual(chunksOf(names[i]!))
      expect(chunksOf(`edited-${i}.bin`)).not.toEqual(chunksOf(names[i]!))
    }
  })
  it('leave nothing half-written when a damaged chunk stops the unpack midway', async () => {
    const pkg = join(work, 'small-damaged.astropack')
    await packFolder({ sourcePath: source, outputPath: pkg })
    const bytes = readFileSync(pkg)
    const reader = await format.openPackage(format.fromBytes(bytes))
    const victim = reader.entry(names[300]!)
    const chunk = reader.chunks[victim.firstChunk]!
    bytes[Number(chunk.offset) + (chunk.storedSize >> 1)]! ^= 0x40
    writeFileSync(pkg, bytes)
    const out = join(work, 'small-damaged-out')
    await expect(unpackPackage({ packPath: pkg, outputPath: out })).rejects.toMatchObject({
      code: expect.stringMatching(/CHECKSUM_MISMATCH|CORRUPT_CHUNK/),
      message: expect.stringMatching(new RegExp(`^${names[300]}: `)),
    })
    const left = readdirSync(out, { recursive: true }).map(String)
    expect(left.filter((name) => name.includes('.partial'))).toEqual([])
    const files = left.filter((name) => statSync(join(out, name)).isFile())
    expect(files.length).toBeGreaterThan(100) // the files before it were written
    expect(files).not.toContain(names[300])
    for (const name of files)
      expect(sha256(readFileSync(join(out, name))), name).toBe(sha256(readFileSync(join(source, name))))
  })
})

describe('SourceFile', () => {
  const dir = join(work, 'sources')
  mkdirSync(dir)
  const sizes = [...EDGE_SIZES, 3 * FIRST_READ_BYTES + 17]
  for (const size of sizes) writeFileSync(join(dir, `${size}.bin`), real.subarray(0, size))

  it('reads any range as the file holds it, inside and beyond its first read', async () => {
    for (const size of sizes) {
      const file = await SourceFile.open(entryOf(dir, `${size}.bin`), new BufferPool())
      try {
        const bytes = real.subarray(0, size)
        expect(Buffer.from(file.head(2880))).toEqual(bytes.subarray(0, 2880))
        await fc.assert(
          fc.asyncProperty(fc.nat(size), fc.nat(size), async (a, b) => {
            const [start, end] = a <= b ? [a, b] : [b, a]
            const want = bytes.subarray(start, end)
            expect(want.equals(await file.slice(start, end)), `${size}: ${start}-${end}`).toBe(true)
            const into = new Uint8Array(end - start)
            await file.readInto(into, start)
            expect(want.equals(into), `${size}: ${start}-${end} into`).toBe(true)
          }),
          { numRuns: 50 },
        )
        await file.checkUnchanged()
      } finally {
        await file.close()
      }
    }
  })

  it('reports a file that grew or shrank since it was listed, and one that is gone, as IO errors', async () => {
    for (const [size, listed] of [
      [1, 0],
      [100, 99],
      [100, 101],
      [3 * FIRST_READ_BYTES, 3 * FIRST_READ_BYTES - 1],
      [3 * FIRST_READ_BYTES, 3 * FIRST_READ_BYTES + 1],
    ] as const) {
      writeFileSync(join(dir, 'changed.bin'), real.subarray(0, size))
      const entry = { ...entryOf(dir, 'changed.bin'), size: listed }
      const opening = SourceFile.open(entry, new BufferPool())
      const check = opening.then(async (file) => {
        try {
          await file.checkUnchanged()
          await file.readInto(new Uint8Array(listed), 0)
        } finally {
          await file.close()
        }
      })
      await expect(check, `${size} listed as ${listed}`).rejects.toMatchObject({ code: 'IO' })
    }
    const gone = { ...entryOf(dir, '100.bin'), absolutePath: join(dir, 'no-such.bin') }
    await expect(SourceFile.open(gone, new BufferPool())).rejects.toMatchObject({
      code: 'IO',
      message: expect.stringMatching(/cannot read/),
    })
  })

  it('are opened ahead in order; a file that cannot be opened fails in its turn', async () => {
    const entries = ['1.bin', '100.bin', 'missing.bin', '16384.bin'].map((name) =>
      name === 'missing.bin'
        ? { ...entryOf(dir, '1.bin'), path: name, absolutePath: join(dir, name) }
        : entryOf(dir, name),
    )
    const files = new SourceFiles(entries, new BufferPool())
    try {
      for (const expected of [1, 100]) {
        const file = await files.next()
        expect(file.byteLength).toBe(expected)
        expect(Buffer.from(file.head(FIRST_READ_BYTES))).toEqual(real.subarray(0, expected))
        await files.close(file)
      }
      await expect(files.next()).rejects.toMatchObject({ code: 'IO' })
      expect((await files.next()).byteLength).toBe(16384)
    } finally {
      await files.dispose()
    }
  })
})

describe('pooled buffers', () => {
  it('come in a few sizes up to a chunk, so a small file does not move a whole chunk buffer', () => {
    const standard = format.DEFAULT_CHUNK_SIZE + format.DEFAULT_CHUNK_SIZE / 32
    expect([0, 1, 64 * KiB, 64 * KiB + 1, 256 * KiB + 1].map(pooledSize)).toEqual([
      64 * KiB,
      64 * KiB,
      64 * KiB,
      256 * KiB,
      1024 * KiB,
    ])
    expect(pooledSize(1024 * KiB + 1)).toBe(standard)
    expect(pooledSize(standard)).toBe(standard)
    expect(pooledSize(standard + 1)).toBe(5 * 1024 * KiB)
    fc.assert(fc.property(fc.nat(64 * 1024 * KiB), (bytes) => pooledSize(bytes) >= bytes))
  })
})

describe('BoundedTasks', () => {
  it('runs at most its limit at once and throws the first failure on the next add or settle', async () => {
    const tasks = new BoundedTasks(3)
    let running = 0
    let most = 0
    const work =
      (ms: number, fail = false) =>
      async () => {
        most = Math.max(most, ++running)
        await new Promise((resolve) => setTimeout(resolve, ms))
        running--
        if (fail) throw new Error('boom')
      }
    for (let i = 0; i < 10; i++) await tasks.add(work(1 + (i % 3)))
    await tasks.settle()
    expect(most).toBe(3)
    await tasks.add(work(1, true))
    await expect(tasks.settle()).rejects.toThrow('boom')
    await expect(tasks.add(work(1))).rejects.toThrow('boom')
  })
})
