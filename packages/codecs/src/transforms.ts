import { AstropackError } from './errors.js'

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
 */
export type TransformOp = 'shuffle' | 'xor' | 'delta-be' | 'delta-le'
export type ElementWidth = 1 | 2 | 4 | 8
export interface TransformStep {
  op: TransformOp
  width: ElementWidth
}

export const TRANSFORM_OP_IDS: Record<TransformOp, number> = {
  shuffle: 1,
  xor: 2,
  'delta-be': 3,
  'delta-le': 4,
}

export function isElementWidth(width: number): width is ElementWidth {
  return width === 1 || width === 2 || width === 4 || width === 8
}

function shuffle(data: Uint8Array, width: number, out: Uint8Array): void {
  const n = Math.floor(data.byteLength / width)
  for (let k = 0; k < width; k++) {
    const plane = k * n
    for (let i = 0, j = k; i < n; i++, j += width) out[plane + i] = data[j]!
  }
  out.set(data.subarray(n * width), n * width)
}

function unshuffle(data: Uint8Array, width: number, out: Uint8Array): void {
  const n = Math.floor(data.byteLength / width)
  for (let k = 0; k < width; k++) {
    const plane = k * n
    for (let i = 0, j = k; i < n; i++, j += width) out[j] = data[plane + i]!
  }
  out.set(data.subarray(n * width), n * width)
}

function xorEncode(data: Uint8Array, width: number, out: Uint8Array): void {
  const whole = Math.floor(data.byteLength / width) * width
  out.set(data.subarray(0, Math.min(width, whole)))
  for (let i = width; i < whole; i++) out[i] = data[i]! ^ data[i - width]!
  out.set(data.subarray(whole), whole)
}

function xorDecode(data: Uint8Array, width: number, out: Uint8Array): void {
  const whole = Math.floor(data.byteLength / width) * width
  out.set(data.subarray(0, Math.min(width, whole)))
  for (let i = width; i < whole; i++) out[i] = data[i]! ^ out[i - width]!
  out.set(data.subarray(whole), whole)
}

/** Byte-wise subtraction with borrow, most significant byte first (big-endian) or last. */
function delta(data: Uint8Array, width: number, out: Uint8Array, bigEndian: boolean, decode: boolean): void {
  const whole = Math.floor(data.byteLength / width) * width
  out.set(data.subarray(0, Math.min(width, whole)))
  for (let i = width; i < whole; i += width) {
    let carry = 0
    for (let b = 0; b < width; b++) {
      const k = i + (bigEndian ? width - 1 - b : b) // least significant byte first
      const previous = (decode ? out : data)[k - width]!
      const value = decode ? data[k]! + previous + carry : data[k]! - previous - carry
      out[k] = value & 0xff
      carry = decode ? value >> 8 : value < 0 ? 1 : 0
    }
  }
  out.set(data.subarray(whole), whole)
}

function run(step: TransformStep, data: Uint8Array, decode: boolean): Uint8Array {
  if (!isElementWidth(step.width))
    throw new AstropackError('CORRUPT_INDEX', `transform width ${step.width} is not 1, 2, 4 or 8`)
  const out = new Uint8Array(data.byteLength)
  switch (step.op) {
    case 'shuffle':
      ;(decode ? unshuffle : shuffle)(data, step.width, out)
      break
    case 'xor':
      ;(decode ? xorDecode : xorEncode)(data, step.width, out)
      break
    case 'delta-be':
    case 'delta-le':
      delta(data, step.width, out, step.op === 'delta-be', decode)
      break
    default:
      throw new AstropackError('UNSUPPORTED_FEATURE', `unknown transform ${(step as TransformStep).op}`)
  }
  return out
}

/** Applies the steps in order (before the codec, when packing). */
export function applyTransforms(steps: readonly TransformStep[], data: Uint8Array): Uint8Array {
  let out = data
  for (const step of steps) out = run(step, out, false)
  return out
}

/** Undoes the steps, last first (after the codec, when reading). */
export function invertTransforms(steps: readonly TransformStep[], data: Uint8Array): Uint8Array {
  let out = data
  for (let i = steps.length - 1; i >= 0; i--) out = run(steps[i]!, out, true)
  return out
}
