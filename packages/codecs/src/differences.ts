import { inBlocks, overlapping, wasmKernels } from './wasm-kernels.js'

/**
 * The difference steps (SPEC §7.1 ops 2, 3, 4, 10, 11, 13, 14): each element minus the previous one, modulo
 * 2^(8 width), optionally zigzagged so small differences of either sign are small numbers, or XOR the
 * previous one, or the difference of the high bits only, beside the low bits (split-delta).
 */

/**
 * Difference with the element `lag` places before (the previous one by default) as an unsigned integer
 * modulo 2^(8 width), the first `lag` elements minus 0. The WebAssembly kernels run at 4-19x the
 * JavaScript loops they replaced (README.md has the figures).
 */
export function delta(
  data: Uint8Array,
  width: number,
  out: Uint8Array,
  bigEndian: boolean,
  decode: boolean,
  zigzagged = false,
  lag = 1,
): void {
  const wasm = wasmKernels()
  if (wasm && !overlapping(data, out)) {
    const kernel = wasm.difference('delta', width, decode, zigzagged)
    inBlocks(wasm, data, out, width, bigEndian, lag, decode, (first, n) => kernel(0, first, n, lag))
  } else deltaScalar(unaliased(data, out, decode), width, out, bigEndian, decode, zigzagged, lag)
}

/** XOR with the previous element (SPEC §7.1 op 2), or back (`decode`). */
export function xorPrevious(data: Uint8Array, width: number, out: Uint8Array, decode: boolean): void {
  const wasm = wasmKernels()
  if (wasm && !overlapping(data, out)) {
    const kernel = wasm.difference('xor', width, decode, false)
    inBlocks(wasm, data, out, width, false, 1, decode, (first, n) => kernel(0, first, n, 1))
  } else xorScalar(unaliased(data, out, decode), width, out, decode)
}

/**
 * Split difference (SPEC §7.1 ops 13, 14) with `bits` low bits, width 4 or 8: x + 2^(bits - 1) parted at bit
 * `bits`; the high part minus the previous element's, zigzagged, above the low part less 2^(bits - 1),
 * zigzagged. Doubles that are a float32 plus a small correction (Tycho-2's positions: half of them within
 * 2^18 of the double's units in the last place from the nearest float32) keep that correction small and
 * apart, where a difference of the whole word mixes two corrections and their borrow into the high bits.
 */
export function splitDelta(
  data: Uint8Array,
  width: 4 | 8,
  out: Uint8Array,
  bigEndian: boolean,
  decode: boolean,
  bits: number,
): void {
  const wasm = wasmKernels()
  if (wasm && !overlapping(data, out)) {
    const kernel = wasm.splitDelta(width, decode)
    inBlocks(wasm, data, out, width, bigEndian, 1, decode, (first, n) => kernel(0, first, n, bits))
  } else splitDeltaScalar(unaliased(data, out, decode), width, out, bigEndian, decode, bits)
}

/** The split difference through BigInt words: where WebAssembly cannot run, and for tests. */
export function splitDeltaScalar(
  data: Uint8Array,
  width: 4 | 8,
  out: Uint8Array,
  bigEndian: boolean,
  decode: boolean,
  bits: number,
): void {
  const size = width * 8
  const whole = Math.floor(data.byteLength / width) * width
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const o = new DataView(out.buffer, out.byteOffset, out.byteLength)
  const get = (view: DataView, at: number) =>
    width === 8 ? view.getBigUint64(at, !bigEndian) : BigInt(view.getUint32(at, !bigEndian))
  const set = (at: number, value: bigint) => {
    if (width === 8) o.setBigUint64(at, BigInt.asUintN(64, value), !bigEndian)
    else o.setUint32(at, Number(BigInt.asUintN(32, value)), !bigEndian)
  }
  const k = BigInt(bits)
  const half = 1n << (k - 1n)
  const zigzag = (v: bigint) => (v >= 0n ? v << 1n : (-v << 1n) - 1n)
  const unzigzag = (z: bigint) => (z & 1n ? -((z + 1n) >> 1n) : z >> 1n)
  let previous = 0n
  for (let at = 0; at < whole; at += width) {
    if (decode) {
      const y = get(d, at)
      const high = BigInt.asUintN(size - bits, previous + unzigzag(y >> k))
      const low = unzigzag(BigInt.asUintN(bits, y)) + half
      set(at, (high << k) + low - half)
      previous = high
    } else {
      const b = BigInt.asUintN(size, get(d, at) + half)
      const high = b >> k
      const difference = BigInt.asIntN(size - bits, high - previous)
      set(at, (zigzag(difference) << k) | zigzag(BigInt.asUintN(bits, b) - half))
      previous = high
    }
  }
  out.set(data.subarray(whole), whole)
}

/** Encoding in place reads the earlier elements as they were, so it works on a copy. */
function unaliased(data: Uint8Array, out: Uint8Array, decode: boolean): Uint8Array {
  return decode || !overlapping(data, out) ? data : data.slice()
}

/** The bytes of the elements XOR those `width` before: where WebAssembly cannot run, and for tests. */
export function xorScalar(data: Uint8Array, width: number, out: Uint8Array, decode: boolean): void {
  const whole = Math.floor(data.byteLength / width) * width
  out.set(data.subarray(0, Math.min(width, whole)))
  if (decode) for (let i = width; i < whole; i++) out[i] = data[i]! ^ out[i - width]!
  else for (let i = width; i < whole; i++) out[i] = data[i]! ^ data[i - width]!
  out.set(data.subarray(whole), whole)
}

/**
 * Through DataView words, where WebAssembly cannot run or the arrays overlap: any width, lag and alignment.
 * Also what tests hold the WebAssembly kernels to.
 */
export function deltaScalar(
  data: Uint8Array,
  width: number,
  out: Uint8Array,
  bigEndian: boolean,
  decode: boolean,
  zigzagged: boolean,
  lag: number,
): void {
  const whole = Math.floor(data.byteLength / width) * width
  if (zigzagged) {
    // Two passes through DataView words: unaligned, lagged, or 1- and 2-byte elements.
    if (decode) {
      zigzag(data, whole, width, out, bigEndian, true)
      out.set(data.subarray(whole), whole)
      deltaScalar(out, width, out, bigEndian, true, false, lag) // in place: each element is read before it is written
    } else {
      deltaScalar(data, width, out, bigEndian, false, false, lag)
      zigzag(out, whole, width, out, bigEndian, false)
    }
    return
  }
  const back = lag * width // bytes back to the element subtracted
  out.set(data.subarray(0, Math.min(back, whole)))
  const le = !bigEndian
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const o = new DataView(out.buffer, out.byteOffset, out.byteLength)
  const previous = decode ? o : d // the earlier element's original value
  if (width === 1) {
    for (let i = back; i < whole; i++)
      out[i] = decode ? (data[i]! + out[i - back]!) & 0xff : (data[i]! - data[i - back]!) & 0xff
  } else if (width === 2) {
    for (let i = back; i < whole; i += 2) {
      const a = d.getUint16(i, le)
      const b = previous.getUint16(i - back, le)
      o.setUint16(i, decode ? a + b : a - b, le)
    }
  } else if (width === 4) {
    for (let i = back; i < whole; i += 4) {
      const a = d.getUint32(i, le)
      const b = previous.getUint32(i - back, le)
      o.setUint32(i, decode ? a + b : a - b, le)
    }
  } else {
    const [hi, lo] = bigEndian ? [0, 4] : [4, 0]
    for (let i = back; i < whole; i += 8) {
      const aLo = d.getUint32(i + lo, le)
      const bLo = previous.getUint32(i - back + lo, le)
      const aHi = d.getUint32(i + hi, le)
      const bHi = previous.getUint32(i - back + hi, le)
      const sumLo = decode ? aLo + bLo : aLo - bLo
      const carry = decode ? (sumLo > 0xffffffff ? 1 : 0) : sumLo < 0 ? -1 : 0
      o.setUint32(i + lo, sumLo >>> 0, le)
      o.setUint32(i + hi, ((decode ? aHi + bHi : aHi - bHi) + carry) >>> 0, le)
    }
  }
  out.set(data.subarray(whole), whole)
}

/**
 * Zigzag of the first `whole` bytes as signed integers of `width` bytes: s -> (s << 1) XOR (s >> (8 width -
 * 1)), and back (`decode`), through DataView words: the second pass of delta-zigzag where delta's word
 * kernels (which zigzag as they go) do not apply.
 */
function zigzag(
  data: Uint8Array,
  whole: number,
  width: number,
  out: Uint8Array,
  bigEndian: boolean,
  decode: boolean,
): void {
  if (width === 1) {
    for (let i = 0; i < whole; i++) {
      const x = data[i]!
      out[i] = decode ? (x >>> 1) ^ -(x & 1) : (x << 1) ^ ((x << 24) >> 31)
    }
    return
  }
  const le = !bigEndian
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const o = new DataView(out.buffer, out.byteOffset, out.byteLength)
  for (let i = 0; i < whole; i += width) {
    if (width === 2) {
      const x = d.getUint16(i, le)
      o.setUint16(i, decode ? (x >>> 1) ^ -(x & 1) : (x << 1) ^ ((x << 16) >> 31), le)
    } else if (width === 4) {
      const x = d.getInt32(i, le)
      o.setInt32(i, decode ? (x >>> 1) ^ -(x & 1) : (x << 1) ^ (x >> 31), le)
    } else {
      const [lowAt, highAt] = le ? [0, 4] : [4, 0]
      const [l, h] = (decode ? unzigzag64 : zigzag64)(d.getInt32(i + lowAt, le), d.getInt32(i + highAt, le))
      o.setInt32(i + lowAt, l, le)
      o.setInt32(i + highAt, h, le)
    }
  }
}

/** 64-bit zigzag on (low, high) int32 halves. */
function zigzag64(low: number, high: number): [number, number] {
  const sign = high >> 31
  return [(low << 1) ^ sign, ((high << 1) | (low >>> 31)) ^ sign]
}

function unzigzag64(low: number, high: number): [number, number] {
  const sign = -(low & 1)
  return [((low >>> 1) | (high << 31)) ^ sign, (high >>> 1) ^ sign]
}
