import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  applyTransforms,
  GRID_DIVISORS,
  invertTransforms,
  MAX_LAG,
  type TransformStep,
} from '../src/index.js'

const step: fc.Arbitrary<TransformStep> = fc.oneof(
  fc.record({
    op: fc.constantFrom(
      'shuffle',
      'xor',
      'delta-be',
      'delta-le',
      'bitshuffle',
      'delta-zigzag-be',
      'delta-zigzag-le',
      'swap-bytes',
    ),
    width: fc.constantFrom(1, 2, 4, 8),
  }),
  fc.record({
    op: fc.constantFrom('delta-zigzag-be', 'delta-zigzag-le'),
    width: fc.constantFrom(1, 2, 4, 8),
    lag: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({
    op: fc.constantFrom('decimal-be', 'decimal-le'),
    width: fc.constantFrom(4, 8),
    scale: fc.integer({ min: 0, max: 9 }),
  }),
  fc.record({
    op: fc.constantFrom('grid-be', 'grid-le'),
    width: fc.constant(8),
    grid: fc.integer({ min: 0, max: GRID_DIVISORS.length - 1 }),
  }),
  fc.constantFrom(4, 8).chain((width) =>
    fc.record({
      op: fc.constantFrom('split-delta-be', 'split-delta-le'),
      width: fc.constant(width),
      lowBits: fc.oneof(fc.constant(29), fc.integer({ min: 1, max: 8 * width - 1 })),
    }),
  ),
) as fc.Arbitrary<TransformStep>

/** The double `units` units in the last place away from x (by its bits, as signed 64-bit integers). */
function nudged(x: number, units: number): number {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  view.setBigInt64(0, view.getBigInt64(0) + BigInt(units))
  return view.getFloat64(0)
}

/**
 * Positions on a sexagesimal grid as catalogs compute them, in several ways (h + m/60 + s/3600 times 15,
 * k / D, with a few units of rounding either way), mixed with anything else a double can hold.
 */
const gridded = fc
  .array(
    fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 0, max: 23 }),
          fc.integer({ min: 0, max: 59 }),
          fc.integer({ min: 0, max: 5999 }),
        )
        .map(([h, m, cs]) => (h + m / 60 + cs / 100 / 3600) * 15),
      fc
        .tuple(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -8, max: 8 }))
        .map(([k, units]) => nudged(k / 24000, units)),
      fc.double(),
    ),
    { maxLength: 200 },
  )
  .map((values) => new Uint8Array(Float64Array.from(values).buffer))

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
  gridded,
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

/** SPEC's delta-zigzag, element by element in BigInt: d = x[i] - x[i-lag] (0 before the first) as a signed integer,
 *  y = 2d for d >= 0, -2d - 1 below; trailing bytes stay as they are. */
function deltaZigzag(data: Uint8Array, width: number, bigEndian: boolean, lag = 1): Uint8Array {
  const bits = BigInt(8 * width)
  const n = Math.floor(data.byteLength / width)
  const element = (at: number) => {
    let v = 0n
    for (let k = 0; k < width; k++) v = (v << 8n) | BigInt(data[at + (bigEndian ? k : width - 1 - k)]!)
    return v
  }
  const out = data.slice()
  for (let i = 0; i < n; i++) {
    const x = element(i * width)
    const previous = i >= lag ? element((i - lag) * width) : 0n
    const d = BigInt.asIntN(Number(bits), x - previous)
    let y = d >= 0n ? 2n * d : -2n * d - 1n
    for (let k = 0; k < width; k++) {
      out[i * width + (bigEndian ? width - 1 - k : k)] = Number(y & 0xffn)
      y >>= 8n
    }
  }
  return out
}

/** SPEC's split-delta in BigInt: b = x + h, H = b >> k, L = b mod 2^k; y = Z(H - H before) << k | Z(L - h). */
function splitDeltaBySpec(data: Uint8Array, width: number, bigEndian: boolean, k: number): Uint8Array {
  const w = 8 * width
  const h = 1n << BigInt(k - 1)
  const Z = (v: bigint) => (v >= 0n ? 2n * v : -2n * v - 1n)
  const out = data.slice()
  const n = Math.floor(data.byteLength / width)
  let before = 0n
  for (let i = 0; i < n; i++) {
    let x = 0n
    for (let j = 0; j < width; j++) x = (x << 8n) | BigInt(data[i * width + (bigEndian ? j : width - 1 - j)]!)
    const b = BigInt.asUintN(w, x + h)
    const high = b >> BigInt(k)
    const d = BigInt.asIntN(w - k, high - before)
    before = high
    let y = (Z(d) << BigInt(k)) + Z((b & ((1n << BigInt(k)) - 1n)) - h)
    for (let j = 0; j < width; j++) {
      out[i * width + (bigEndian ? width - 1 - j : j)] = Number(y & 0xffn)
      y >>= 8n
    }
  }
  return out
}

describe('transforms', () => {
  it('split-delta writes what SPEC defines and undoes it (any offset, width 4 or 8, order, low bits)', () => {
    const input = fc.tuple(
      fc.oneof(typedBytes, fc.uint8Array({ maxLength: 600 })),
      fc.nat(7),
      fc.constantFrom(4, 8) as fc.Arbitrary<4 | 8>,
      fc.boolean(),
      fc.integer({ min: 1, max: 63 }),
    )
    fc.assert(
      fc.property(input, ([bytes, shift, width, bigEndian, bits]) => {
        const lowBits = 1 + (bits % (8 * width - 1))
        const data = new Uint8Array(bytes.byteLength + shift).subarray(shift)
        data.set(bytes)
        const steps: TransformStep[] = [
          { op: bigEndian ? 'split-delta-be' : 'split-delta-le', width, lowBits },
        ]
        const encoded = applyTransforms(steps, data)
        expect(
          Buffer.from(encoded).equals(Buffer.from(splitDeltaBySpec(data, width, bigEndian, lowBits))),
        ).toBe(true)
        expect(Buffer.from(invertTransforms(steps, encoded)).equals(Buffer.from(data))).toBe(true)
      }),
      { numRuns: 1500 },
    )
  })

  it('split-delta keeps a float32 plus a small correction as that correction beside the float32 steps', () => {
    const near = [225.865585, 225.714142, 225.531631].map(Math.fround)
    const doubles = Float64Array.from([nudged(near[0]!, 3), nudged(near[1]!, -2), near[2]!])
    const encoded = new DataView(
      applyTransforms([{ op: 'split-delta-le', width: 8, lowBits: 29 }], new Uint8Array(doubles.buffer))
        .buffer,
    )
    const low = (i: number) => Number(encoded.getBigUint64(i * 8, true) & (2n ** 29n - 1n))
    expect([low(0), low(1), low(2)]).toEqual([6, 3, 0]) // +3, -2 and 0 units, zigzagged
    // The high parts: the float32s' own bits (in a double's layout) differ by their steps, zigzagged.
    const float32Step = (a: number, b: number) => {
      const view = new DataView(new ArrayBuffer(16))
      view.setFloat64(0, a)
      view.setFloat64(8, b)
      return (view.getBigInt64(8) - view.getBigInt64(0)) >> 29n
    }
    const high = (i: number) => encoded.getBigUint64(i * 8, true) >> 29n
    expect(high(1)).toBe(-2n * float32Step(near[0]!, near[1]!) - 1n) // a step down
    expect(high(2)).toBe(-2n * float32Step(near[1]!, near[2]!) - 1n)
  })

  it('refuses a split-delta step of another width or with no bits on either side', () => {
    const data = new Uint8Array(64)
    for (const step of [
      { op: 'split-delta-be', width: 2, lowBits: 5 },
      { op: 'split-delta-le', width: 8, lowBits: 64 },
      { op: 'split-delta-le', width: 4, lowBits: 0 },
      { op: 'split-delta-be', width: 8 },
    ] as TransformStep[])
      expect(() => applyTransforms([step], data)).toThrow(/split-delta step needs width 4 or 8/)
  })

  it('delta-zigzag writes the zigzag of each difference as SPEC defines it, and undoes it (any offset, width, order, lag)', () => {
    const input = fc.tuple(
      fc.uint8Array({ maxLength: 600, size: 'medium' }),
      fc.nat(7),
      fc.constantFrom(1, 2, 4, 8),
      fc.boolean(),
      // Lags within the data mostly (a row of 2 to 12 fields), now and then up to the largest.
      fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: MAX_LAG })),
    )
    fc.assert(
      fc.property(input, ([bytes, shift, width, bigEndian, lag]) => {
        const data = new Uint8Array(bytes.byteLength + shift).subarray(shift) // word paths at offset 0 only
        data.set(bytes)
        const steps: TransformStep[] = [
          { op: bigEndian ? 'delta-zigzag-be' : 'delta-zigzag-le', width: width as 1 | 2 | 4 | 8, lag },
        ]
        const encoded = applyTransforms(steps, data)
        expect(Buffer.from(encoded).equals(Buffer.from(deltaZigzag(data, width, bigEndian, lag)))).toBe(true)
        expect(Buffer.from(invertTransforms(steps, encoded)).equals(Buffer.from(data))).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  it('delta-zigzag maps noise around a level to small numbers, steps down as well as up', () => {
    const pixels = Int16Array.from([1000, 999, 1001, 1001, 997, -32768, 32767])
    const encoded = new Uint16Array(
      applyTransforms([{ op: 'delta-zigzag-le', width: 2 }], new Uint8Array(pixels.buffer)).buffer,
    )
    // differences 1000, -1, 2, 0, -4, then -33765 and 65535 wrap to 31771 and -1
    expect([...encoded]).toEqual([2000, 1, 4, 0, 7, 63542, 1])
    const doubles = new Uint8Array(new Float64Array([1.5, 1.5000000000000002, 1.5]).buffer)
    const words = new BigUint64Array(applyTransforms([{ op: 'delta-zigzag-le', width: 8 }], doubles).buffer)
    expect(words[1]).toBe(2n) // one unit up
    expect(words[2]).toBe(1n) // one unit down
  })

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
          // Only decimal and grid may refuse a chunk (a subnormal they cannot keep), with a typed error.
          expect(steps.some((s) => s.op.startsWith('decimal') || s.op.startsWith('grid'))).toBe(true)
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

  it('swap-bytes writes little-endian numbers big-endian (their own inverse), trailing bytes as they were', () => {
    for (const width of [2, 4, 8] as const) {
      const count = 37
      const little = new Uint8Array(count * width + width - 1).map((_, i) => (i * 97 + 13) & 255)
      const swapped = applyTransforms([{ op: 'swap-bytes', width }], little)
      const [from, to] = [new DataView(little.buffer), new DataView(swapped.buffer)]
      for (let i = 0; i < count * width; i += width) {
        const read = (view: DataView, le: boolean) =>
          width === 2 ? view.getUint16(i, le) : width === 4 ? view.getUint32(i, le) : view.getBigUint64(i, le)
        expect(read(to, false)).toBe(read(from, true))
      }
      expect([...swapped.subarray(count * width)]).toEqual([...little.subarray(count * width)])
      expect([...applyTransforms([{ op: 'swap-bytes', width }], swapped)]).toEqual([...little])
    }
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

  it('grid keeps positions from h:m:s as their count of hundredths of a second of time and a few units', () => {
    // Sirius, Canopus, Arcturus (Hipparcos, 0.01 s), computed as a catalog script does; then -0, NaN, Infinity,
    // a double far from the grid, a subnormal's negative (its top bits are set), the grid's ends.
    const hms = [
      [6, 45, 8.92],
      [6, 23, 57.11],
      [14, 15, 39.67],
    ]
    const values = [
      ...hms.map(([h, m, s]) => (h! + m! / 60 + s! / 3600) * 15),
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Math.PI,
      -5e-324,
      nudged((2 ** 47 - 1) / 24000, 7),
      nudged(-(2 ** 47 - 1) / 24000, -8),
    ]
    const data = new Uint8Array(Float64Array.from(values).buffer)
    const step: TransformStep = { op: 'grid-le', width: 8, grid: GRID_DIVISORS.indexOf(24000) }
    const encoded = new DataView(applyTransforms([step], data).buffer)
    const count = (i: number) => Math.floor(Number(encoded.getBigUint64(i * 8, true)) / 16) - 2 ** 47
    expect([count(0), count(1), count(2)]).toEqual([2430892, 2303711, 5133967])
    for (const i of [0, 1, 2, 8, 9]) expect(encoded.getUint32(i * 8 + 4, true) >>> 21, `value ${i}`).toBe(0)
    for (const i of [3, 4, 5, 6, 7])
      expect(encoded.getBigUint64(i * 8, true)).toBe(new BigUint64Array(data.buffer)[i])
    expect(
      Buffer.from(invertTransforms([step], new Uint8Array(encoded.buffer))).equals(Buffer.from(data)),
    ).toBe(true)
    // A positive subnormal off the grid has the top bits of a count: the step refuses the chunk (the
    // smallest ones are 0 and a few units).
    expect(() => applyTransforms([step], new Uint8Array(Float64Array.of(1e-310).buffer))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_FEATURE' }),
    )
    expect(() => applyTransforms([{ ...step, grid: GRID_DIVISORS.length }], data)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_INDEX' }),
    )
  })

  it('grid stores every double within -8 to 7 units of k / D as a count, for every grid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: GRID_DIVISORS.length - 1 }),
        fc.array(
          fc.tuple(fc.integer({ min: -(2 ** 47) + 1, max: 2 ** 47 - 1 }), fc.integer({ min: -8, max: 7 })),
          { minLength: 1, maxLength: 50 },
        ),
        fc.boolean(),
        (grid, counts, bigEndian) => {
          const values = counts.map(([k, units]) => nudged(k / GRID_DIVISORS[grid]!, units))
          // Below zero by bits is no double near zero (a NaN): zero's neighbours are the tiny positive ones.
          fc.pre(counts.every(([k, units]) => k !== 0 || units >= 0))
          const data = new Uint8Array(values.length * 8)
          const view = new DataView(data.buffer)
          for (const [i, v] of values.entries()) view.setFloat64(i * 8, v, !bigEndian)
          const step: TransformStep = { op: bigEndian ? 'grid-be' : 'grid-le', width: 8, grid }
          const encoded = applyTransforms([step], data)
          const out = new DataView(encoded.buffer)
          for (let i = 0; i < values.length; i++)
            expect(out.getUint32(i * 8 + (bigEndian ? 0 : 4), !bigEndian) >>> 21).toBe(0)
          expect(Buffer.from(invertTransforms([step], encoded)).equals(Buffer.from(data))).toBe(true)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('delta is the difference of integers, on aligned words and on any byte offset alike', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 1, maxLength: 64 }),
        fc.constantFrom(4, 8),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        (values, width, bigEndian, offset) => {
          const n = values.length
          const mask = (1n << BigInt(8 * width)) - 1n
          const backing = new Uint8Array(n * width + offset + 3)
          const data = backing.subarray(offset, offset + n * width + 3) // 3 trailing bytes pass through
          const view = new DataView(data.buffer, data.byteOffset)
          const put = (v: DataView, i: number, x: bigint) =>
            width === 8
              ? v.setBigUint64(i * 8, x & mask, !bigEndian)
              : v.setUint32(i * 4, Number(x & mask), !bigEndian)
          for (const [i, x] of values.entries()) put(view, i, x)
          data.set([7, 8, 9], n * width)
          const op = bigEndian ? 'delta-be' : 'delta-le'
          const encoded = applyTransforms([{ op, width } as TransformStep], data)
          const expected = new DataView(new ArrayBuffer(n * width))
          for (const [i, x] of values.entries()) put(expected, i, i === 0 ? x : x - values[i - 1]!)
          expect(Buffer.from(encoded.subarray(0, n * width))).toEqual(Buffer.from(expected.buffer))
          expect([...encoded.subarray(n * width)]).toEqual([7, 8, 9])
          const into = new Uint8Array(backing.byteLength).subarray(offset, offset + data.byteLength)
          const decoded = invertTransforms([{ op, width } as TransformStep], encoded, into)
          expect(Buffer.from(decoded)).toEqual(Buffer.from(data))
        },
      ),
      { numRuns: 1000 },
    )
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
