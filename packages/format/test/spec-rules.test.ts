import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EMPTY_SHA256, entryPathProblem, fromBytes, openPackage, PackageWriter } from '../src/index.js'
import { decodeIndex, encodeIndex } from '../src/index-sections.js'
import { HEADER_SIZE, TRAILER_SIZE } from '../src/spec.js'
import { decodeTrailer, encodeTrailer } from '../src/trailer.js'
import { craftPackage } from './craft.js'

describe('entry names can never escape the output folder', () => {
  const unsafe = [
    '../evil',
    'a/../../evil',
    '/etc/passwd',
    'C:/x',
    'c:evil',
    'a\\..\\b',
    'nul\0byte',
    '',
    'a//b',
    './a',
    'a/.',
  ]
  it.each(unsafe)('refuses %j when writing', (path) => {
    const writer = new PackageWriter({ write: async () => {} })
    expect(() => writer.beginFile({ path, mode: 0o644, mtimeMs: 0 })).toThrow(
      expect.objectContaining({ code: 'UNSAFE_PATH' }),
    )
  })
  it.each(unsafe)('refuses %j in a crafted package when reading', async (path) => {
    await expect(openPackage(fromBytes(await craftPackage({ entries: [{ path }] })))).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    })
  })
  it('accepts ordinary survey file names', () => {
    for (const path of ['gaia/dr3/part-000.csv', 'Tycho 2/index-07.fits', 'a.b/c..d/ünïcode.h5']) {
      expect(entryPathProblem(path)).toBeUndefined()
    }
  })
  it('refuses a file that is also used as a folder, and duplicate names', async () => {
    const asFolder = await craftPackage({ entries: [{ path: 'a' }, { path: 'a/b' }] })
    await expect(openPackage(fromBytes(asFolder))).rejects.toMatchObject({ code: 'CORRUPT_INDEX' })
    const twice = await craftPackage({ entries: [{ path: 'a' }, { path: 'a' }] })
    await expect(openPackage(fromBytes(twice))).rejects.toMatchObject({ code: 'CORRUPT_INDEX' })
  })
})

describe('index consistency', () => {
  it('refuses entries whose chunks do not add up to their size, or point past the chunk table', async () => {
    for (const entry of [{ size: 6 }, { firstChunk: 1 }, { chunkCount: 2 }]) {
      await expect(openPackage(fromBytes(await craftPackage({ entries: [entry] })))).rejects.toMatchObject({
        code: 'CORRUPT_INDEX',
      })
    }
  })
  it('reads a well-formed crafted package', async () => {
    const reader = await openPackage(fromBytes(await craftPackage({})))
    expect(new TextDecoder().decode(await reader.readEntry('file0.txt'))).toBe('hello')
  })
})

describe('versioning and features', () => {
  it('skips unknown sections (optional additions of later minor versions)', async () => {
    const bytes = await craftPackage({ extraSection: { type: 999, payload: Uint8Array.of(1, 2, 3) } })
    expect((await openPackage(fromBytes(bytes))).entries).toHaveLength(1)
  })
  it('refuses unknown required features, naming them', async () => {
    await expect(
      openPackage(fromBytes(await craftPackage({ requiredFeatures: 1 << 1 }))),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_FEATURE',
      message: expect.stringContaining('shared-chunks'),
    })
    await expect(
      openPackage(fromBytes(await craftPackage({ requiredFeatures: 1 << 20 }))),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED_FEATURE',
      message: expect.stringContaining('feature bit 20'),
    })
  })
  it('refuses another major version', async () => {
    const bytes = await craftPackage({})
    const trailerAt = bytes.byteLength - TRAILER_SIZE
    const trailer = decodeTrailer(bytes.subarray(trailerAt), bytes.byteLength)
    bytes.set(encodeTrailer({ ...trailer, versionMajor: 2 }), trailerAt)
    await expect(openPackage(fromBytes(bytes))).rejects.toMatchObject({ code: 'UNSUPPORTED_VERSION' })
  })
})

describe('64-bit offsets and sizes', () => {
  it('round-trips trailer fields beyond 4 GiB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 32, max: 2 ** 52 }), (big) => {
        const trailer = {
          indexOffset: big,
          indexStoredSize: 1000,
          indexRawSize: 5000,
          packageSize: big + 1000 + TRAILER_SIZE,
          indexCrc32: 0xdeadbeef,
          indexCodec: 1,
          versionMajor: 1,
          versionMinor: 0,
          requiredFeatures: 0,
          optionalFeatures: 0,
        }
        expect(decodeTrailer(encodeTrailer(trailer), trailer.packageSize)).toEqual(trailer)
      }),
    )
  })
  it('indexes a file of more than 4 GiB in chunks beyond 4 GiB', () => {
    const chunkSize = 64 * 1024 * 1024
    const count = 80 // 5 GiB
    const chunks = Array.from({ length: count }, (_, i) => ({
      offset: HEADER_SIZE + i * 1000 + (i > 40 ? 2 ** 33 : 0),
      storedSize: 1000,
      rawSize: chunkSize,
      crc32: i,
      codecId: 1,
      transformId: 0,
    }))
    const entry = {
      kind: 'file' as const,
      path: 'big.fits',
      mode: 0o644,
      size: count * chunkSize,
      mtimeMs: 0,
      firstChunk: 0,
      chunkCount: count,
      sha256: EMPTY_SHA256,
    }
    const raw = encodeIndex({ manifestJson: '{}', entries: [entry], chunks })
    const decoded = decodeIndex(raw, 2 ** 34)
    expect(decoded.entries[0]).toEqual(entry)
    expect(decoded.chunks).toEqual(chunks)
    expect(() => decodeIndex(raw, 2 ** 32)).toThrow(expect.objectContaining({ code: 'CORRUPT_INDEX' }))
  })
})
