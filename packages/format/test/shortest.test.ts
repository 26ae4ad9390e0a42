import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { float64Value, writeLongFloat64, writeShortFloat64 } from '../src/text-table/numbers.js'

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
const text = (bytes: Uint8Array) => String.fromCharCode(...bytes)

/** Full-precision doubles of every magnitude the arithmetic path covers, and their neighbours. */
const doubles = fc.oneof(
  fc
    .tuple(fc.double({ min: 1, max: 10, noNaN: true }), fc.integer({ min: -7, max: 15 }), fc.boolean())
    .map(([m, e, negative]) => (negative ? -1 : 1) * m * 10 ** e),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  // Next to powers of two and ten, where gaps and digit counts change.
  fc
    .tuple(fc.integer({ min: -20, max: 49 }), fc.integer({ min: -4, max: 4 }), fc.boolean())
    .map(([e, k, ten]) => (ten ? 10 ** (e / 3) : 2 ** e) * (1 + k * 2 ** -52)),
)

/** Moves a double by a few units in the last place. */
function nudge(value: number, ulps: number): number {
  const bits = new BigInt64Array(new Float64Array([value]).buffer)
  bits[0]! += BigInt(ulps)
  return new Float64Array(bits.buffer)[0]!
}

describe('shortest digits of full-precision doubles, decided by arithmetic', () => {
  it('read 16- and 17-digit fields exactly as String(Number(field)) === field decides', () => {
    const fields = fc.oneof(
      doubles.map(String),
      doubles.map((v) => v.toPrecision(17)),
      doubles.map((v) => v.toPrecision(16)),
      fc.tuple(doubles, fc.integer({ min: -3, max: 3 })).map(([v, k]) => String(nudge(v, k))),
      // The last digit one off: the same double, or its neighbour, or neither.
      fc.tuple(doubles, fc.constantFrom(-1, 1)).map(([v, d]) => {
        const s = String(v)
        const last = s.charCodeAt(s.length - 1) - 48 + d
        return last >= 1 && last <= 9 && s.includes('.') ? s.slice(0, -1) + last : s
      }),
    )
    fc.assert(
      fc.property(fields, (f) => {
        const value = Number(f)
        const expected = String(value) === f ? value : Number.NaN
        expect(Object.is(float64Value(latin1(f), 0, f.length), expected)).toBe(true)
      }),
      { numRuns: 100_000 },
    )
  })

  it('write ToString(value) without String(), or step aside', () => {
    fc.assert(
      fc.property(doubles, fc.integer({ min: -3, max: 3 }), (v, k) => {
        const value = nudge(v, k)
        const out = new Uint8Array(40)
        const end = writeLongFloat64(out, 0, value)
        if (end !== -1) expect(text(out.subarray(0, end))).toBe(String(value))
      }),
      { numRuns: 100_000 },
    )
  })

  it('covers nearly every full-precision catalog value (positions, fluxes)', () => {
    const out = new Uint8Array(40)
    let long = 0
    let written = 0
    fc.assert(
      // Uniform over [-360, 360) with all 53 bits random, as positions in degrees are.
      fc.property(
        fc.integer({ min: 0, max: 2 ** 26 - 1 }),
        fc.integer({ min: 0, max: 2 ** 27 - 1 }),
        (a, b) => {
          const value = ((a * 2 ** 27 + b) / 2 ** 53) * 720 - 360
          if (writeShortFloat64(out, 0, value) !== -1 || Math.abs(value) < 1e-6) return
          long++
          if (writeLongFloat64(out, 0, value) !== -1) written++
        },
      ),
      { numRuns: 20_000, seed: 42 },
    )
    expect(long).toBeGreaterThan(10_000)
    expect(written / long).toBeGreaterThan(0.99)
  })
})
