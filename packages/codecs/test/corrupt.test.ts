import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Codec, isAstropackError } from '../src/index.js'
import { ENTRIES } from './entries.js'
import { CALLS, expectBytes, expectCode, noise, sameBytes, sample } from './helpers.js'

const RAW = sample('tables/jpl-sbdb-asteroids.csv').subarray(0, 20_000)

/** Codecs whose frames carry a checksum over the content, so a flipped bit can never decode silently. */
const CHECKSUMMED = new Set(['gzip'])

/**
 * Decodes damaged input. The only acceptable failure is a typed CORRUPT_CHUNK error; success must give exactly
 * `rawSize` bytes. Returns the bytes, or undefined when refused.
 */
function decodeDamaged(codec: Codec, stored: Uint8Array, rawSize: number): Uint8Array | undefined {
  try {
    const out = codec.decode(stored, rawSize)
    expect(out.byteLength).toBe(rawSize)
    return out
  } catch (error) {
    if (isAstropackError(error, 'CORRUPT_CHUNK')) return undefined
    throw new Error(`${codec.name}: expected CORRUPT_CHUNK, got ${String(error)}`, { cause: error })
  }
}

/** Cut points: every offset near both ends, and about 150 spread through the middle. */
function cutPoints(length: number): number[] {
  const cuts = new Set<number>()
  const step = Math.max(1, Math.ceil(length / 150))
  for (let at = 0; at < length; at += step) cuts.add(at)
  for (let i = 0; i < 40; i++) {
    cuts.add(Math.min(i, length - 1))
    cuts.add(Math.max(0, length - 1 - i))
  }
  return [...cuts].filter((cut) => cut < length)
}

for (const { label, api } of ENTRIES) {
  describe(`${label} codecs refuse damaged chunks`, () => {
    for (const name of api.codecNames)
      for (const { via, wrap } of CALLS) {
        describe(`${name}, ${via}`, () => {
          let codec: Codec
          let frame: Uint8Array
          beforeAll(async () => {
            codec = wrap(await api.loadCodec(name))
            frame = codec.encode(RAW)
          })

          it('truncated frames throw CORRUPT_CHUNK, at every few offsets', () => {
            for (const cut of cutPoints(frame.byteLength)) {
              expectCode('CORRUPT_CHUNK', () => codec.decode(frame.slice(0, cut), RAW.byteLength))
            }
          })

          it('single bit flips throw CORRUPT_CHUNK or decode to exactly rawSize bytes', () => {
            const step = Math.max(1, Math.floor(frame.byteLength / 400))
            let refused = 0
            for (let at = 0; at < frame.byteLength; at += step) {
              const damaged = frame.slice()
              damaged[at]! ^= 1 << (at % 8)
              const out = decodeDamaged(codec, damaged, RAW.byteLength)
              if (out === undefined) refused++
              else if (CHECKSUMMED.has(name)) expectBytes(out, RAW)
            }
            // 'none' has nothing to check; every other codec notices damage to its headers at least.
            if (name !== 'none') expect(refused).toBeGreaterThan(0)
          })

          it('random truncations and bit flips (property)', () => {
            const input = fc.uint8Array({ minLength: 1, maxLength: 3000 })
            const damage = fc.tuple(input, fc.nat(), fc.nat(7), fc.boolean())
            fc.assert(
              fc.property(damage, ([raw, where, bit, truncate]) => {
                const stored = codec.encode(raw)
                const at = where % stored.byteLength
                if (truncate)
                  return void expectCode('CORRUPT_CHUNK', () =>
                    codec.decode(stored.slice(0, at), raw.byteLength),
                  )
                const damaged = stored.slice()
                damaged[at]! ^= 1 << bit
                const out = decodeDamaged(codec, damaged, raw.byteLength)
                if (out && CHECKSUMMED.has(name)) expectBytes(out, raw)
              }),
              { numRuns: 300 },
            )
          })

          it('random garbage throws CORRUPT_CHUNK or decodes to exactly rawSize bytes', () => {
            fc.assert(
              fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(100_000), (garbage, rawSize) => {
                decodeDamaged(codec, garbage, rawSize)
                decodeDamaged(codec, garbage, garbage.byteLength)
              }),
              { numRuns: 300 },
            )
          })

          it('a declared size smaller than the content throws CORRUPT_CHUNK (bomb guard)', () => {
            for (const rawSize of [0, 1, RAW.byteLength >> 1, RAW.byteLength - 1]) {
              expectCode('CORRUPT_CHUNK', () => codec.decode(frame, rawSize))
            }
          })

          it('a declared size larger than the content throws CORRUPT_CHUNK without allocating it', () => {
            for (const rawSize of [
              RAW.byteLength + 1,
              RAW.byteLength * 2,
              2 ** 31,
              2 ** 40,
              Number.MAX_SAFE_INTEGER,
            ]) {
              expectCode('CORRUPT_CHUNK', () => codec.decode(frame, rawSize))
            }
          })

          it('nonsense declared sizes throw CORRUPT_CHUNK', () => {
            for (const rawSize of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
              expectCode('CORRUPT_CHUNK', () => codec.decode(frame, rawSize))
            }
          })

          it('a 64 MiB bomb declared as 1 MiB is refused', () => {
            const bomb = codec.encode(new Uint8Array(64 << 20))
            const started = performance.now()
            expectCode('CORRUPT_CHUNK', () => codec.decode(bomb, 1 << 20))
            expect(performance.now() - started).toBeLessThan(5000)
          })

          it('still decodes good frames after refusing bad ones', () => {
            expectCode('CORRUPT_CHUNK', () => codec.decode(noise(3, 500), 2 ** 30))
            expectBytes(codec.decode(frame, RAW.byteLength), RAW)
          })
        })
      }
  })
}

describe('lz4 frame reader refuses what it does not support', () => {
  /** What to damage: the byte at an offset, rewritten by a function, and the message expected. */
  const cases: [string, number, (byte: number) => number, RegExp][] = [
    ['a wrong magic number', 0, () => 0, /not an LZ4 frame/],
    ['version 0', 4, (b) => b & 0x3f, /version/],
    ['linked blocks', 4, (b) => b & ~0x20, /linked blocks/],
    ['a dictionary id', 4, (b) => b | 0x01, /dictionary/],
    ['a bad block size code', 5, () => 0x30, /block size code/],
    ['a damaged header checksum', 14, (b) => b ^ 0xff, /header checksum/],
  ]
  for (const { label, api } of ENTRIES) {
    for (const [what, at, damage, message] of cases) {
      it(`${label}: ${what}`, async () => {
        const lz4 = await api.loadCodec('lz4')
        const frame = lz4.encode(RAW)
        frame[at] = damage(frame[at]!)
        expect(expectCode('CORRUPT_CHUNK', () => lz4.decode(frame, RAW.byteLength)).message).toMatch(message)
      })
    }
    it(`${label}: stray bytes after the frame`, async () => {
      const lz4 = await api.loadCodec('lz4')
      const frame = Buffer.concat([lz4.encode(RAW), Uint8Array.of(0)])
      expectCode('CORRUPT_CHUNK', () => lz4.decode(frame, RAW.byteLength))
      expect(sameBytes(lz4.decode(frame.subarray(0, -1), RAW.byteLength), RAW)).toBe(true)
    })
  }
})
