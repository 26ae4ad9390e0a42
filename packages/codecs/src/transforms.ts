import { bitshuffle, unbitshuffle } from './bit-planes.js'
import { swapBytes } from './byte-order.js'
import { shuffle, unshuffle } from './byte-planes.js'
import { decimal } from './decimal.js'
import { delta, splitDelta, xorPrevious } from './differences.js'
import { AstropackError } from './errors.js'
import { grid } from './grid.js'

/**
 * Reversible transforms applied to a chunk before its codec, to expose structure that byte compressors
 * miss in typed data. All work on whole elements of `width` bytes; trailing bytes that do not fill an
 * element pass through unchanged. Each is spec'd in @astropack/format's SPEC.md.
 *
 * - shuffle: byte planes (all first bytes, then all second bytes, ...): exponents and high bytes of
 *   numbers line up (Parquet's BYTE_STREAM_SPLIT, Blosc's shuffle).
 * - xor: each element XOR the previous one: slowly varying floats (positions along a scan) share bits.
 * - delta-be / delta-le: each element minus the previous one as a big- / little-endian unsigned integer
 *   modulo 2^(8 width): sorted IDs and counters become small numbers.
 * - decimal-be / decimal-le: floats (width 4 or 8) that are exact decimals with `scale` digits (catalog
 *   magnitudes such as 10.321) become small integers; any other value keeps its bits (an exception in place).
 * - bitshuffle: bit planes of groups of 8 elements (see bit-planes.ts): noisy low bits apart from
 *   predictable high ones.
 * - grid-be / grid-le: float64 values on a grid of 1 / divisor (degrees from sexagesimal) become their
 *   count and a few bits of rounding (see grid.ts).
 * - delta-zigzag-be / delta-zigzag-le: the difference as a signed integer, zigzag-mapped (0, -1, 1, -2 ...
 *   become 0, 1, 2, 3 ...): noise around a level (image pixels, positions along a scan) gives small
 *   numbers either way, where a plain delta turns every step down into a number with all high bits set.
 * - swap-bytes: each element's bytes in reverse order (see byte-order.ts): little-endian numbers most
 *   significant byte first, for the planes after it.
 * - split-delta-be / split-delta-le: the difference of the high bits only, the low `lowBits` kept apart
 *   around zero (see differences.ts): doubles that are float32 values plus a small correction.
 */
export type TransformOp =
  | 'shuffle'
  | 'xor'
  | 'delta-be'
  | 'delta-le'
  | 'decimal-be'
  | 'decimal-le'
  | 'bitshuffle'
  | 'grid-be'
  | 'grid-le'
  | 'delta-zigzag-be'
  | 'delta-zigzag-le'
  | 'swap-bytes'
  | 'split-delta-be'
  | 'split-delta-le'
export type ElementWidth = 1 | 2 | 4 | 8
/** The largest lag of a delta-zigzag step (its parameter byte holds the lag less one). */
export const MAX_LAG = 256
export interface TransformStep {
  op: TransformOp
  width: ElementWidth
  /** decimal: the number of decimal digits (0 to 9). */
  scale?: number
  /** grid: the index of its divisor in GRID_DIVISORS. */
  grid?: number
  /**
   * delta-zigzag: how many elements back the subtracted one is (1 to 256; 1 when absent): a row's width
   * in elements subtracts the same field of the row before (x, y, z of a vector column).
   */
  lag?: number
  /** split-delta: how many low bits are kept out of the difference (1 to 8 width - 1). */
  lowBits?: number
}

export const TRANSFORM_OP_IDS: Record<TransformOp, number> = {
  shuffle: 1,
  xor: 2,
  'delta-be': 3,
  'delta-le': 4,
  'decimal-be': 5,
  'decimal-le': 6,
  bitshuffle: 7,
  'grid-be': 8,
  'grid-le': 9,
  'delta-zigzag-be': 10,
  'delta-zigzag-le': 11,
  'swap-bytes': 12,
  'split-delta-be': 13,
  'split-delta-le': 14,
}

export function isElementWidth(width: number): width is ElementWidth {
  return width === 1 || width === 2 || width === 4 || width === 8
}

/** Whether a split-delta step may have this width (4 or 8 bytes) and keep `lowBits` low bits apart. */
export function isSplit(width: number, lowBits: number | undefined): lowBits is number {
  return (width === 4 || width === 8) && Number.isInteger(lowBits) && lowBits! >= 1 && lowBits! < 8 * width
}

function run(step: TransformStep, data: Uint8Array, out: Uint8Array, decode: boolean): void {
  if (!isElementWidth(step.width))
    throw new AstropackError('CORRUPT_INDEX', `transform width ${step.width} is not 1, 2, 4 or 8`)
  switch (step.op) {
    case 'shuffle':
      ;(decode ? unshuffle : shuffle)(data, step.width, out)
      return
    case 'xor':
      xorPrevious(data, step.width, out, decode)
      return
    case 'delta-be':
    case 'delta-le':
      delta(data, step.width, out, step.op === 'delta-be', decode)
      return
    case 'decimal-be':
    case 'decimal-le':
      decimal(data, step.width, out, step.op === 'decimal-be', decode, step.scale ?? -1)
      return
    case 'bitshuffle':
      ;(decode ? unbitshuffle : bitshuffle)(data, step.width, out)
      return
    case 'grid-be':
    case 'grid-le':
      grid(data, step.width, out, step.op === 'grid-be', decode, step.grid ?? -1)
      return
    case 'delta-zigzag-be':
    case 'delta-zigzag-le': {
      const lag = step.lag ?? 1
      if (!Number.isInteger(lag) || lag < 1 || lag > MAX_LAG)
        throw new AstropackError('USAGE', `a delta-zigzag step's lag must be 1 to ${MAX_LAG}, not ${lag}`)
      delta(data, step.width, out, step.op === 'delta-zigzag-be', decode, true, lag)
      return
    }
    case 'swap-bytes':
      swapBytes(data, step.width, out)
      return
    case 'split-delta-be':
    case 'split-delta-le': {
      const { width, lowBits } = step
      if (!isSplit(width, lowBits))
        throw new AstropackError(
          'USAGE',
          `a split-delta step needs width 4 or 8 and 1 to ${8 * width - 1} low bits, not width ${width} and ${lowBits}`,
        )
      splitDelta(data, width as 4 | 8, out, step.op === 'split-delta-be', decode, lowBits)
      return
    }
    default:
      throw new AstropackError('UNSUPPORTED_FEATURE', `unknown transform ${(step as TransformStep).op}`)
  }
}

/**
 * Two reusable intermediates for chains of several steps: fresh memory fills slowly here. Whole MiBs, as
 * chunk sizes creep up (a corpus unpack grew them 26 times, 27 MB).
 */
const scratch = [new Uint8Array(0), new Uint8Array(0)]
const MiB = 1024 * 1024
function intermediate(i: number, size: number): Uint8Array {
  if (scratch[i]!.byteLength < size) scratch[i] = new Uint8Array(Math.ceil(size / MiB) * MiB)
  return scratch[i]!.subarray(0, size)
}

function chain(
  steps: readonly TransformStep[],
  data: Uint8Array,
  decode: boolean,
  into?: Uint8Array,
): Uint8Array {
  if (steps.length === 0) return data
  const out =
    into && into.byteLength >= data.byteLength
      ? into.subarray(0, data.byteLength)
      : new Uint8Array(data.byteLength)
  let input = data
  for (let s = 0; s < steps.length; s++) {
    const step = steps[decode ? steps.length - 1 - s : s]!
    const target = s === steps.length - 1 ? out : intermediate(s % 2, data.byteLength)
    run(step, input, target, decode)
    input = target
  }
  return out
}

/** Applies the steps in order (before the codec, when packing); the result goes to `into` when it fits. */
export function applyTransforms(
  steps: readonly TransformStep[],
  data: Uint8Array,
  into?: Uint8Array,
): Uint8Array {
  return chain(steps, data, false, into)
}

/** Undoes the steps, last first (after the codec, when reading); the result goes to `into` when it fits. */
export function invertTransforms(
  steps: readonly TransformStep[],
  data: Uint8Array,
  into?: Uint8Array,
): Uint8Array {
  return chain(steps, data, true, into)
}
