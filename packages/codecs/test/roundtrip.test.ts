import zlib from 'node:zlib'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Codec, loadCodec } from '../src/index.js'
import { ENTRIES } from './entries.js'
import { bigSample, expectBytes, expectCode, noise, SAMPLES, sample } from './helpers.js'

const MiB = 1 << 20

const repetitive = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 20_000 }))
  .map(([pattern, size]) => {
    const out = new Uint8Array(size)
    for (let i = 0; i < size; i++) out[i] = pattern[i % pattern.length]!
    return out
  })

/** Runs of one byte, repeated patterns and noise, the way real files alternate between them. */
const mixed = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc
        .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 3000 }))
        .map(([b, n]) => new Uint8Array(n).fill(b)),
      repetitive,
    ),
    { maxLength: 12 },
  )
  .map((parts) => Buffer.concat(parts))
  .map((buffer) => new Uint8Array(buffer))

/** Over 4 MiB, so lz4 writes several blocks; a noise stretch makes some blocks incompressible (stored raw). */
const big = fc
  .record({
    size: fc.integer({ min: 4 * MiB + 1, max: 9 * MiB }),
    noiseAt: fc.integer({ min: 0, max: 5 * MiB }),
    noiseSize: fc.integer({ min: 0, max: 4 * MiB + 100 }),
    seed: fc.integer(),
  })
  .map(({ size, noiseAt, noiseSize, seed }) => {
    const out = bigSample(size)
    const at = Math.min(noiseAt, size)
    out.set(noise(seed, Math.min(noiseSize, size - at)), at)
    return out
  })

for (const { label, api } of ENTRIES) {
  describe(`${label} codecs round-trip`, () => {
    for (const name of api.codecNames) {
      describe(name, () => {
        let codec: Codec
        beforeAll(async () => {
          codec = await api.loadCodec(name)
        })
        const roundTrip = (raw: Uint8Array, level?: number) => {
          expectBytes(codec.decode(codec.encode(raw, level), raw.byteLength), raw)
        }

        it('empty input and every single byte', () => {
          roundTrip(new Uint8Array(0))
          for (let b = 0; b < 256; b++) roundTrip(Uint8Array.of(b))
        })

        it('random bytes (property)', () => {
          fc.assert(
            fc.property(fc.uint8Array({ maxLength: 10_000 }), (raw) => roundTrip(raw)),
            { numRuns: 150 },
          )
        })

        it('highly repetitive bytes (property)', () => {
          fc.assert(
            fc.property(repetitive, (raw) => roundTrip(raw)),
            { numRuns: 100 },
          )
        })

        it('mixed runs, patterns and noise (property)', () => {
          fc.assert(
            fc.property(mixed, (raw) => roundTrip(raw)),
            { numRuns: 100 },
          )
        })

        it('incompressible noise, up to 1 MiB', () => {
          for (const size of [15, 64, 65_535, 65_537, MiB]) roundTrip(noise(size, size))
        })

        it('real FITS, CSV, HDF5 and text files', () => {
          for (const file of SAMPLES) roundTrip(sample(file))
        })

        it('inputs over 4 MiB (property, few runs)', () => {
          fc.assert(
            fc.property(big, (raw) => roundTrip(raw)),
            { numRuns: 3 },
          )
          roundTrip(noise(7, 4 * MiB + 1)) // a whole block that does not shrink, plus one byte
        })

        it('every level, on a small real file', () => {
          const raw = sample('docs/cds-ReadMe.txt')
          for (let level = codec.levels.min; level <= codec.levels.max; level++) roundTrip(raw, level)
        })

        it('encodes at the default level when none is given', () => {
          const raw = sample('docs/irsa-m31.vot.xml')
          expectBytes(codec.encode(raw), codec.encode(raw, codec.levels.default))
        })
      })
    }

    it('zstd covers levels 1..22 and gzip 1..9', async () => {
      const zstd = await api.loadCodec('zstd')
      const gzip = await api.loadCodec('gzip')
      expect(zstd.levels).toEqual({ min: 1, max: 22, default: 3 })
      expect(gzip.levels).toEqual({ min: 1, max: 9, default: 6 })
    })
  })
}

describe('decoding into a reused buffer', () => {
  it.each(['zstd', 'gzip', 'lz4'] as const)(
    '%s writes the result into the given buffer, byte for byte',
    async (name) => {
      const codec = await loadCodec(name)
      const into = new Uint8Array(1 << 20)
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 64, maxLength: 1 << 20 }), async (raw) => {
          const out = codec.decode(codec.encode(raw), raw.byteLength, into)
          // The fast path must be live on the supported Node versions: the result is a view of `into`.
          expect(out.buffer).toBe(into.buffer)
          expect(Buffer.from(out).equals(Buffer.from(raw))).toBe(true)
        }),
        { numRuns: 20 },
      )
    },
  )
})

describe('encoding into a reused buffer (one zlib engine per thread)', () => {
  it.each(['zstd', 'gzip'] as const)(
    '%s writes frames into the given buffer, across levels and after refused input',
    async (name) => {
      const codec = await loadCodec(name)
      const into = new Uint8Array(2 << 20)
      const back = new Uint8Array((1 << 20) + 64)
      const level = fc.integer({ min: codec.levels.min, max: Math.min(codec.levels.max, 9) })
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 64, maxLength: 1 << 20 }), level, async (raw, at) => {
          const stored = codec.encode(raw, at, into)
          // The fast path must be live on the supported Node versions: the frame is a view of `into`.
          expect(stored.buffer).toBe(into.buffer)
          // Wrong declared sizes and cut frames are refused, and the engine after them still works.
          expectCode('CORRUPT_CHUNK', () => codec.decode(stored, raw.byteLength + 1, back))
          expectCode('CORRUPT_CHUNK', () => codec.decode(stored, raw.byteLength - 1, back))
          expectCode('CORRUPT_CHUNK', () =>
            codec.decode(stored.subarray(0, stored.byteLength >> 1), raw.byteLength, back),
          )
          const out = codec.decode(stored, raw.byteLength, back)
          expect(out.buffer).toBe(back.buffer)
          expectBytes(out, raw)
        }),
        { numRuns: 30 },
      )
    },
  )
})

describe('the level of every frame from a reused engine', () => {
  // node:zlib's reset() once set a zstd engine back to level 3 after its first frame, so --level
  // reached only the first chunk per thread. A frame is the same bytes as the sync API's at that level.
  const syncEncode = {
    zstd: (raw: Uint8Array, level: number) =>
      zlib.zstdCompressSync(raw, {
        params: { [zlib.constants.ZSTD_c_compressionLevel]: level, [zlib.constants.ZSTD_c_checksumFlag]: 0 },
      }),
    gzip: (raw: Uint8Array, level: number) => zlib.gzipSync(raw, { level }),
  }
  it.each(['zstd', 'gzip'] as const)(
    '%s: frame after frame, at levels 1, the default and the max',
    async (name) => {
      const codec = await loadCodec(name)
      const into = new Uint8Array(1 << 20)
      const raw = sample('tables/jpl-sbdb-asteroids.csv').subarray(0, 256 * 1024)
      for (const level of [1, codec.levels.default, codec.levels.max])
        for (let frame = 0; frame < 3; frame++)
          expectBytes(codec.encode(raw, level, into), syncEncode[name](raw, level))
    },
  )
})
