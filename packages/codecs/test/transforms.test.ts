import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyTransforms, invertTransforms, type TransformStep } from '../src/index.js'

const step: fc.Arbitrary<TransformStep> = fc.oneof(
  fc.record({
    op: fc.constantFrom('shuffle', 'xor', 'delta-be', 'delta-le', 'bitshuffle'),
    width: fc.constantFrom(1, 2, 4, 8),
  }),
  fc.record({
    op: fc.constantFrom('decimal-be', 'decimal-le'),
    width: fc.constantFrom(4, 8),
    scale: fc.integer({ min: 0, max: 9 }),
  }),
) as fc.Arbitrary<TransformStep>

/** Catalog-like decimals (magnitudes with 3 digits) mixed with anything else a float can hold. */
const decimals = fc
  .array(
    fc.oneof(
      fc.integer({ min: -99999, max: 99999 }).map((k) => k / 1000),
      fc.double(),
    ),
    { maxLength: 200 },
  )
  .chain((values) =>
    fc.constantFrom(
      new Uint8Array(Float64Array.from(values).buffer),
      new Uint8Array(Float32Array.from(values).buffer),
    ),
  )

/** Bytes of typed values with the awkward cases: NaN payloads, ±0, subnormals, infinities, extreme ints. */
const typedBytes = fc.oneof(
  fc.float64Array({ maxLength: 300 }).map((a) => new Uint8Array(a.buffer)),
  fc.float32Array({ maxLength: 300 }).map((a) => new Uint8Array(a.buffer)),
  fc.bigInt64Array({ maxLength: 300 }).map((a) => new Uint8Array(a.buffer)),
  fc
    .array(
      fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE),
      { maxLength: 100 },
    )
    .map((a) => new Uint8Array(Float64Array.from(a).buffer)),
  fc.uint8Array({ maxLength: 1000 }),
  decimals,
)

/** SPEC's byte planes, byte by byte: plane k holds byte k of every element; trailing bytes stay last. */
function bytePlanes(data: Uint8Array, width: number): Uint8Array {
  const n = Math.floor(data.byteLength / width)
  const out = data.slice()
  for (let i = 0; i < n; i++) for (let k = 0; k < width; k++) out[k * n + i] = data[i * width + k]!
  return out
}

/** SPEC's bit planes, bit by bit: byte (8k + r) × (n8 / 8) + g holds bit 7 - r of byte k of elements
 *  8g .. 8g + 7, the first in the most significant bit; what follows the last whole group stays as it is. */
function bitPlanes(data: Uint8Array, width: number): Uint8Array {
  const n8 = Math.floor(data.byteLength / width / 8) * 8
  const groups = n8 / 8
  const out = data.slice()
  out.fill(0, 0, n8 * width)
  for (let k = 0; k < width; k++)
    for (let r = 0; r < 8; r++)
      for (let e = 0; e < n8; e++) {
        const bit = (data[e * width + k]! >> (7 - r)) & 1
        out[(8 * k + r) * groups + (e >> 3)]! |= bit << (7 - (e & 7))
      }
  return out
}

describe('transforms', () => {
  // Shuffle takes a word path at offset 0 with whole 4-element groups and a byte path at odd offsets;
  // bitshuffle has no offset-dependent path, but is checked the same way.
  it.each([
    ['shuffle', 'byte', bytePlanes, 600],
    ['bitshuffle', 'bit', bitPlanes, 700],
  ] as const)(
    '%s writes the %s planes SPEC defines and undoes them (any offset, any length)',
    (op, _, planesOf, maxLength) => {
      const input = fc.tuple(fc.uint8Array({ maxLength }), fc.nat(7), fc.constantFrom(1, 2, 4, 8))
      fc.assert(
        fc.property(input, ([bytes, shift, width]) => {
          const data = new Uint8Array(bytes.byteLength + shift).subarray(shift)
          data.set(bytes)
          const steps: TransformStep[] = [{ op, width: width as 1 | 2 | 4 | 8 }]
          const planes = applyTransforms(steps, data)
          expect(Buffer.from(planes).equals(Buffer.from(planesOf(data, width)))).toBe(true)
          expect(Buffer.from(invertTransforms(steps, planes)).equals(Buffer.from(data))).toBe(true)
        }),
        { numRuns: 1000 },
      )
    },
  )

  it('[xor, shuffle] in one pass gives the same bytes as the two steps one after the other', () => {
    const input = fc.tuple(fc.uint8Array({ maxLength: 800 }), fc.constantFrom(4, 8))
    fc.assert(
      fc.property(input, ([bytes, width]) => {
        const w = width as 4 | 8
        const data = new Uint8Array(bytes) // offset 0: the fused word path when whole 4-element groups
        const fused = applyTransforms(
          [
            { op: 'xor', width: w },
            { op: 'shuffle', width: w },
          ],
          data,
        )
        const stepwise = applyTransforms(
          [{ op: 'shuffle', width: w }],
          applyTransforms([{ op: 'xor', width: w }], data),
        )
        expect(Buffer.from(fused).equals(Buffer.from(stepwise))).toBe(true)
        const back = invertTransforms(
          [
            { op: 'xor', width: w },
            { op: 'shuffle', width: w },
          ],
          stepwise,
        )
        const backStepwise = invertTransforms(
          [{ op: 'xor', width: w }],
          invertTransforms([{ op: 'shuffle', width: w }], stepwise),
        )
        expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true)
        expect(Buffer.from(backStepwise).equals(Buffer.from(data))).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })

  it('every chain of steps is undone exactly, byte for byte, whatever the length', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 4 }), typedBytes, (steps, data) => {
        let encoded: Uint8Array
        try {
          encoded = applyTransforms(steps, data)
        } catch (error) {
          // Only decimal may refuse a chunk (a subnormal it cannot keep), and it says so with a typed error.
          expect(steps.some((s) => s.op.startsWith('decimal'))).toBe(true)
          expect(error).toMatchObject({ code: 'UNSUPPORTED_FEATURE' })
          return
        }
        expect(encoded.byteLength).toBe(data.byteLength)
        expect(Buffer.from(invertTransforms(steps, encoded)).equals(Buffer.from(data))).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  it('shuffle makes byte planes; delta-be turns a big-endian counter into ones', () => {
    const data = Uint8Array.of(1, 2, 3, 4, 5, 6)
    expect([...applyTransforms([{ op: 'shuffle', width: 2 }], data)]).toEqual([1, 3, 5, 2, 4, 6])
    const counter = new Uint8Array(4 * 300)
    const view = new DataView(counter.buffer)
    for (let i = 0; i < 300; i++) view.setUint32(i * 4, 65_000 + i) // crosses byte boundaries
    const deltas = new DataView(applyTransforms([{ op: 'delta-be', width: 4 }], counter).buffer)
    for (let i = 1; i < 300; i++) expect(deltas.getUint32(i * 4)).toBe(1)
  })

  it('decimal turns 3-digit magnitudes into small integers, keeping -0, NaN payloads and others in place', () => {
    const values = Float32Array.from([10.321, 9.5, -0, Number.NaN, 1 / 3, 0, 15.999])
    const data = new Uint8Array(values.buffer)
    const step: TransformStep = { op: 'decimal-le', width: 4, scale: 3 }
    const encoded = new Uint32Array(applyTransforms([step], data).buffer)
    expect(encoded[0]).toBe(2 ** 23 + 10321)
    expect(encoded[5]).toBe(2 ** 23)
    expect(encoded[2]).toBe(0x80000000) // -0 kept as its bits
    expect(
      Buffer.from(invertTransforms([step], new Uint8Array(encoded.buffer))).equals(Buffer.from(data)),
    ).toBe(true)
  })

  it('delta wraps modulo 2^(8 width), like integer arithmetic', () => {
    const data = new Uint8Array(
      new BigInt64Array([9223372036854775807n, -9223372036854775808n, 0n, -1n]).buffer,
    )
    const encoded = applyTransforms([{ op: 'delta-le', width: 8 }], data)
    expect(new BigInt64Array(encoded.buffer)[1]).toBe(1n)
    expect(
      Buffer.from(invertTransforms([{ op: 'delta-le', width: 8 }], encoded)).equals(Buffer.from(data)),
    ).toBe(true)
  })
})
