import { createHash } from 'node:crypto'
import zlib from 'node:zlib'
import fc from 'fast-check'
import { compressSync, uncompressSync } from 'lz4-napi'
import { describe, expect, it, vi } from 'vitest'
import * as browser from '../src/index.browser.js'
import * as node from '../src/index.js'
import { compressBlock, decompressBlock } from '../src/lz4/block.js'
import { frameContentSize } from '../src/zstd.browser.js'
import { describeWithCli, expectBytes, expectCode, noise, run, sample } from './helpers.js'

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 5000 }),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.nat(50_000)).map(([p, n]) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = p[i % p.length]!
    return out
  }),
)

describe('browser entry', () => {
  it('exports the same names as the Node entry', () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort())
    expect(browser.codecNames).toEqual(node.codecNames)
    expect(browser.AstropackError).toBe(node.AstropackError)
  })

  it('offers the same codecs with the same level ranges', async () => {
    for (const name of node.codecNames) {
      const [n, b] = await Promise.all([node.loadCodec(name), browser.loadCodec(name)])
      expect(b.name).toBe(n.name)
      expect(b.levels).toEqual(n.levels)
    }
  })

  it('resolves loadCodec("zstd") only once the wasm is ready to use', async () => {
    vi.resetModules()
    const fresh = await import('../src/index.browser.js')
    const zstd = await fresh.loadCodec('zstd')
    const raw = sample('docs/cds-ReadMe.txt')
    expectBytes(zstd.decode(zstd.encode(raw, 5), raw.byteLength), raw)
  })

  it('frames cross between the Node and browser codecs, both ways (property)', async () => {
    for (const name of node.codecNames) {
      const [n, b] = await Promise.all([node.loadCodec(name), browser.loadCodec(name)])
      fc.assert(
        fc.property(bytes, (raw) => {
          expectBytes(n.decode(b.encode(raw), raw.byteLength), raw)
          expectBytes(b.decode(n.encode(raw), raw.byteLength), raw)
        }),
        { numRuns: 60 },
      )
    }
  })

  it('crc32 equals node:zlib crc32, including when continued (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(3000), fc.integer(), (data, cut, seed) => {
        expect(browser.crc32(data)).toBe(zlib.crc32(data) >>> 0)
        const previous = seed >>> 0
        expect(browser.crc32(data, previous)).toBe(zlib.crc32(data, previous) >>> 0)
        const at = cut % (data.byteLength + 1)
        expect(browser.crc32(data.subarray(at), browser.crc32(data.subarray(0, at)))).toBe(
          zlib.crc32(data) >>> 0,
        )
      }),
      { numRuns: 500 },
    )
    const big = sample('tables/jpl-sbdb-asteroids.csv')
    expect(browser.crc32(big)).toBe(node.crc32(big))
  })

  it('createSha256 equals node:crypto SHA-256 over any split of the input (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 1000 }),
        fc.array(fc.nat(1000), { maxLength: 5 }),
        (data, cuts) => {
          const hasher = browser.createSha256()
          let from = 0
          for (const cut of [...cuts.map((c) => c % (data.byteLength + 1))].sort((a, b) => a - b)) {
            hasher.update(data.subarray(from, Math.max(from, cut)))
            from = Math.max(from, cut)
          }
          hasher.update(data.subarray(from))
          expect(hasher.digestHex()).toBe(createHash('sha256').update(data).digest('hex'))
        },
      ),
      { numRuns: 300 },
    )
    const big = sample('fits/saao-1m-a8280271.fits')
    const hasher = browser.createSha256()
    hasher.update(big)
    expect(hasher.digestHex()).toBe(createHash('sha256').update(big).digest('hex'))
    expect(() => hasher.update(big)).toThrow()
  })
})

describe('browser lz4 blocks are standard LZ4 blocks', () => {
  /** lz4-napi's block API prefixes a 4-byte little-endian raw size. */
  const napiBlock = (raw: Uint8Array) => new Uint8Array(compressSync(Buffer.from(raw)).subarray(4))
  const napiDecode = (block: Uint8Array, size: number) => {
    const prefixed = Buffer.alloc(block.byteLength + 4)
    prefixed.writeUInt32LE(size, 0)
    prefixed.set(block, 4)
    return new Uint8Array(uncompressSync(prefixed))
  }

  it('our blocks decode with lz4-napi, and lz4-napi blocks with ours (property)', () => {
    fc.assert(
      fc.property(bytes, (raw) => {
        expectBytes(napiDecode(compressBlock(raw), raw.byteLength), raw)
        expectBytes(decompressBlock(napiBlock(raw), raw.byteLength), raw)
      }),
      { numRuns: 300 },
    )
  })

  it('stays within LZ4_compressBound and compresses real data', () => {
    for (const raw of [noise(1, 100_000), sample('tables/jpl-sbdb-asteroids.csv')]) {
      expect(compressBlock(raw).byteLength).toBeLessThanOrEqual(raw.byteLength + raw.byteLength / 255 + 16)
    }
    const csv = sample('tables/jpl-sbdb-asteroids.csv')
    expect(compressBlock(csv).byteLength).toBeLessThan(csv.byteLength * 0.8)
  })

  it('refuses to decode past maxSize and rejects bad offsets', () => {
    const raw = new Uint8Array(1000).fill(7)
    const block = compressBlock(raw)
    expect(() => decompressBlock(block, 999)).toThrow(/more than 999/)
    expect(() => decompressBlock(Uint8Array.of(0x10, 0x41, 0x05, 0x00), 100)).toThrow(/offset/)
    expect(() => decompressBlock(new Uint8Array(0), 100)).toThrow(/truncated/)
  })
})

describe('browser zstd guards', () => {
  it('reads the content size from frame headers', () => {
    const raw = sample('docs/cds-ReadMe.txt')
    for (const size of [0, 1, 255, 256, 300, 65_791, 70_000]) {
      const part = new Uint8Array(size).map((_, i) => raw[i % raw.byteLength]!)
      expect(frameContentSize(zlib.zstdCompressSync(part))).toBe(size)
    }
    expect(frameContentSize(Uint8Array.of(1, 2, 3, 4, 5, 6))).toBeUndefined()
  })

  it('refuses declared sizes the frame cannot reach, and keeps working after', async () => {
    const zstd = await browser.loadCodec('zstd')
    const raw = sample('docs/cds-ReadMe.txt')
    const frame = zstd.encode(raw)
    for (const rawSize of [raw.byteLength - 1, raw.byteLength + 1, 2 ** 30 + 1, 2 ** 32]) {
      expectCode('CORRUPT_CHUNK', () => zstd.decode(frame, rawSize))
    }
    expectBytes(zstd.decode(frame, raw.byteLength), raw)
  })
})

describeWithCli(['zstd'], 'browser zstd without a content size in the frame', () => {
  it('decodes zstd CLI pipe frames and still bounds a huge declared size', async () => {
    const zstd = await browser.loadCodec('zstd')
    const raw = sample('docs/irsa-m31.vot.xml')
    const frame = run('zstd', ['-c'], raw)
    expect(frameContentSize(frame)).toBeUndefined()
    expectBytes(zstd.decode(frame, raw.byteLength), raw)
    expectCode('CORRUPT_CHUNK', () => zstd.decode(frame, raw.byteLength - 1))
    expectCode('CORRUPT_CHUNK', () => zstd.decode(frame, raw.byteLength + 1))
    expectCode('CORRUPT_CHUNK', () => zstd.decode(frame, 2 ** 30))
    expectBytes(zstd.decode(frame, raw.byteLength), raw)
  })
})
