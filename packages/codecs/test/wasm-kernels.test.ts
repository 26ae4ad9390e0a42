import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { GENERATED_PATH, kernelsWasmSource } from '../scripts/kernels-wasm.ts'
import { bitshuffle, bitshuffleScalar, unbitshuffle, unbitshuffleScalar } from '../src/bit-planes.js'
import { swapBytes, swapBytesScalar } from '../src/byte-order.js'
import { shuffle, shuffleScalar, unshuffle, unshuffleScalar } from '../src/byte-planes.js'
import { decimal, decimalScalar } from '../src/decimal.js'
import {
  delta,
  deltaScalar,
  splitDelta,
  splitDeltaScalar,
  xorPrevious,
  xorScalar,
} from '../src/differences.js'
import { wasmKernels } from '../src/wasm-kernels.js'

type Kernel = (data: Uint8Array, width: number, out: Uint8Array) => void
/**
 * Each plane kernel, and the byte swap, as the transforms call it (through the module wherever it runs, as
 * here) and its loops.
 */
const planes: Record<string, [Kernel, Kernel]> = {
  shuffle: [shuffle, shuffleScalar],
  unshuffle: [unshuffle, unshuffleScalar],
  bitshuffle: [bitshuffle, bitshuffleScalar],
  unbitshuffle: [unbitshuffle, unbitshuffleScalar],
  'swap-bytes': [swapBytes, swapBytesScalar],
}
const widths = [1, 2, 4, 8] as const

/** What a plane kernel gives, through the module and by the JavaScript loops. */
function both(kernel: string, data: Uint8Array, width: number) {
  const [viaModule, loops] = planes[kernel]!
  const expected = new Uint8Array(data.byteLength)
  const actual = new Uint8Array(data.byteLength).fill(0xa5)
  loops(data, width, expected)
  viaModule(data, width, actual)
  return { expected, actual }
}

describe('the WebAssembly kernels', () => {
  it('are the module scripts/kernels-wasm.ts assembles now (run it after changing them)', async () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(await kernelsWasmSource())
  })

  it('run in Node, so chunks never take the JavaScript loops here', () => {
    expect(wasmKernels()).toBeDefined()
  })

  it('give the planes and byte swaps of the JavaScript loops for any bytes, width and length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.constantFrom(...widths),
        fc.constantFrom('shuffle', 'unshuffle', 'bitshuffle', 'unbitshuffle', 'swap-bytes' as const),
        (data, width, kernel) => {
          if (width === 1 && !kernel.endsWith('bitshuffle')) return // byte planes of one byte are the bytes
          const { expected, actual } = both(kernel, data, width)
          expect(actual).toEqual(expected)
        },
      ),
      { numRuns: 400 },
    )
  })

  it('work block by block through chunks larger than their memory, with a tail of every kind', () => {
    // 4 blocks and a bit at width 1; elements past the last group of 8 and bytes past the last element.
    const data = new Uint8Array((1 << 20) + 8 * 8 * 3 + 8 * 5 + 3)
    for (let i = 0, x = 1; i < data.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0
      data[i] = x >>> 24
    }
    for (const width of widths) {
      for (const kernel of ['bitshuffle', 'unbitshuffle', 'shuffle', 'unshuffle', 'swap-bytes'] as const) {
        if (width === 1 && !kernel.endsWith('bitshuffle')) continue
        const { expected, actual } = both(kernel, data, width)
        expect(Buffer.compare(actual, expected), `${kernel} width ${width}`).toBe(0)
      }
      const bits = new Uint8Array(data.length)
      const back = new Uint8Array(data.length)
      bitshuffle(data, width, bits)
      unbitshuffle(bits, width, back)
      expect(Buffer.compare(back, data)).toBe(0)
    }
  })

  it('give the differences and XORs of the JavaScript loops for any bytes, width, byte order, zigzag and lag', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.constantFrom(...widths),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(1, 1, 2, 3, 7, 256),
        (data, width, bigEndian, zigzag, decode, lag) => {
          const expected = new Uint8Array(data.length)
          const actual = new Uint8Array(data.length).fill(0xa5)
          deltaScalar(data, width, expected, bigEndian, decode, zigzag, lag)
          delta(data, width, actual, bigEndian, decode, zigzag, lag)
          expect(actual).toEqual(expected)
          xorScalar(data, width, expected, decode)
          xorPrevious(data, width, actual, decode)
          expect(actual).toEqual(expected)
        },
      ),
      { numRuns: 400 },
    )
  })

  it('give the split differences of the JavaScript loop for any bytes, width, byte order and low bits', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.constantFrom(4, 8) as fc.Arbitrary<4 | 8>,
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 63 }),
        (data, width, bigEndian, decode, bits) => {
          const lowBits = 1 + (bits % (8 * width - 1))
          const expected = new Uint8Array(data.length)
          const actual = new Uint8Array(data.length).fill(0xa5)
          splitDeltaScalar(data, width, expected, bigEndian, decode, lowBits)
          splitDelta(data, width, actual, bigEndian, decode, lowBits)
          expect(actual).toEqual(expected)
        },
      ),
      { numRuns: 400 },
    )
  })

  it('carry differences across blocks, and decode what they encode', () => {
    const data = new Uint8Array((1 << 20) + 13)
    for (let i = 0, x = 7; i < data.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0
      data[i] = x >>> 24
    }
    for (const width of widths)
      for (const lag of [1, 5]) {
        const expected = new Uint8Array(data.length)
        const encoded = new Uint8Array(data.length)
        const back = new Uint8Array(data.length)
        deltaScalar(data, width, expected, true, false, true, lag)
        delta(data, width, encoded, true, false, true, lag)
        expect(Buffer.compare(encoded, expected), `width ${width} lag ${lag}`).toBe(0)
        delta(encoded, width, back, true, true, true, lag)
        expect(Buffer.compare(back, data)).toBe(0)
        xorScalar(data, width, expected, false)
        xorPrevious(data, width, encoded, false)
        expect(Buffer.compare(encoded, expected), `xor width ${width}`).toBe(0)
        xorPrevious(encoded, width, back, true)
        expect(Buffer.compare(back, data)).toBe(0)
      }
    for (const width of [4, 8] as const) {
      const expected = new Uint8Array(data.length)
      const encoded = new Uint8Array(data.length)
      const back = new Uint8Array(data.length)
      splitDeltaScalar(data, width, expected, true, false, 29)
      splitDelta(data, width, encoded, true, false, 29)
      expect(Buffer.compare(encoded, expected), `split width ${width}`).toBe(0)
      splitDelta(encoded, width, back, true, true, 29)
      expect(Buffer.compare(back, data)).toBe(0)
    }
  })

  it('give the decimals of the JavaScript loops: exact decimals, other floats, -0, NaN, infinities, subnormals', () => {
    const decimals = (width: 4 | 8) =>
      fc
        .array(
          fc.oneof(
            fc.integer({ min: -99_999_999, max: 99_999_999 }).map((k) => ({ k })),
            (width === 4 ? fc.float() : fc.double()).map((value) => ({ value })),
          ),
          { maxLength: 300 },
        )
        .chain((values) =>
          fc.record({
            values: fc.constant(values),
            scale: fc.integer({ min: 0, max: 9 }),
            bigEndian: fc.boolean(),
          }),
        )
    for (const width of [4, 8] as const)
      fc.assert(
        fc.property(decimals(width), fc.boolean(), ({ values, scale, bigEndian }, decode) => {
          const data = new Uint8Array(values.length * width + 3)
          const view = new DataView(data.buffer)
          values.forEach((v, i) => {
            const value = 'k' in v ? v.k / 10 ** scale : v.value
            if (width === 4) view.setFloat32(i * 4, value, !bigEndian)
            else view.setFloat64(i * 8, value, !bigEndian)
          })
          const outcome = (run: typeof decimalScalar) => {
            const out = new Uint8Array(data.length)
            try {
              run(data, width, out, bigEndian, decode, scale)
              return out
            } catch (error) {
              return (error as { code: string }).code
            }
          }
          expect(outcome(decimal)).toEqual(outcome(decimalScalar))
        }),
        { numRuns: 300 },
      )
  })

  it('round halves as Math.round does, in the decimal kernels', () => {
    const halves = [
      2.5,
      -2.5,
      3.5,
      -3.5,
      0.5,
      -0.5,
      0.49999999999999994,
      -0,
      2 ** 51 + 0.5,
      2 ** 52 - 0.5,
      1.0005,
    ]
    for (const width of [4, 8] as const)
      for (const scale of [0, 1, 3])
        for (const bigEndian of [false, true]) {
          const data = new Uint8Array(halves.length * width)
          const view = new DataView(data.buffer)
          halves.forEach((value, i) => {
            if (width === 4) view.setFloat32(i * 4, value, !bigEndian)
            else view.setFloat64(i * 8, value, !bigEndian)
          })
          const expected = new Uint8Array(data.length)
          const actual = new Uint8Array(data.length)
          decimalScalar(data, width, expected, bigEndian, false, scale)
          decimal(data, width, actual, bigEndian, false, scale)
          expect(actual, `width ${width} scale ${scale}`).toEqual(expected)
        }
  })
})
