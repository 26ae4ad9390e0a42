/**
 * Bitshuffle (SPEC §7.1, op 7): the bits of whole groups of 8 elements as bit planes, most significant
 * first, byte plane by byte plane. In noisy integers and float mantissas some bits are predictable and
 * others not; whole bytes mix the two, single bits do not (the idea of the HDF5 and Blosc bitshuffle
 * filters, though not their block layout). Elements past the last whole group of 8, and trailing bytes,
 * pass through unchanged. WebAssembly SIMD does the work (planes-wasm.ts); the loops below stand in where
 * it cannot run.
 */
import { bitshuffleWasm, unbitshuffleWasm } from './planes-wasm.js'
import { wasmKernels } from './wasm-kernels.js'

export function bitshuffle(data: Uint8Array, width: number, out: Uint8Array): void {
  const wasm = wasmKernels()
  if (wasm) bitshuffleWasm(wasm, data, width, out)
  else bitshuffleScalar(data, width, out)
}

export function unbitshuffle(data: Uint8Array, width: number, out: Uint8Array): void {
  const wasm = wasmKernels()
  if (wasm) unbitshuffleWasm(wasm, data, width, out)
  else unbitshuffleScalar(data, width, out)
}

/**
 * Transposes the 8 x 8 bit matrix whose rows are bytes a (a0 in the high byte of `high`, a7 in the low
 * byte of `low`): row r of the result holds bit 7 - r of a0 ... a7, a0's in its most significant bit.
 * Three swaps of ever larger blocks (Hacker's Delight, 7-3); the transpose is its own inverse.
 */
function transpose8(high: number, low: number, out: Uint8Array, at: number, step: number): void {
  let x = high
  let y = low
  let t = (x ^ (x >>> 7)) & 0x00aa00aa
  x = x ^ t ^ (t << 7)
  t = (y ^ (y >>> 7)) & 0x00aa00aa
  y = y ^ t ^ (t << 7)
  t = (x ^ (x >>> 14)) & 0x0000cccc
  x = x ^ t ^ (t << 14)
  t = (y ^ (y >>> 14)) & 0x0000cccc
  y = y ^ t ^ (t << 14)
  t = (x & 0xf0f0f0f0) | ((y >>> 4) & 0x0f0f0f0f)
  y = ((x << 4) & 0xf0f0f0f0) | (y & 0x0f0f0f0f)
  out[at] = t >>> 24
  out[at + step] = (t >>> 16) & 0xff
  out[at + 2 * step] = (t >>> 8) & 0xff
  out[at + 3 * step] = t & 0xff
  out[at + 4 * step] = y >>> 24
  out[at + 5 * step] = (y >>> 16) & 0xff
  out[at + 6 * step] = (y >>> 8) & 0xff
  out[at + 7 * step] = y & 0xff
}

/** Encode: output byte (8k + r) × (n8 / 8) + g holds bit 7 - r of byte k of elements 8g ... 8g + 7. */
export function bitshuffleScalar(data: Uint8Array, width: number, out: Uint8Array): void {
  const n8 = Math.floor(data.byteLength / width / 8) * 8
  const groups = n8 / 8
  for (let k = 0; k < width; k++) {
    const plane = 8 * k * groups
    for (let g = 0, e = k; g < groups; g++, e += 8 * width) {
      const high =
        (data[e]! << 24) | (data[e + width]! << 16) | (data[e + 2 * width]! << 8) | data[e + 3 * width]!
      const low =
        (data[e + 4 * width]! << 24) |
        (data[e + 5 * width]! << 16) |
        (data[e + 6 * width]! << 8) |
        data[e + 7 * width]!
      transpose8(high, low, out, plane + g, groups)
    }
  }
  out.set(data.subarray(n8 * width), n8 * width)
}

/** Decode: the inverse of bitshuffle. */
export function unbitshuffleScalar(data: Uint8Array, width: number, out: Uint8Array): void {
  const n8 = Math.floor(data.byteLength / width / 8) * 8
  const groups = n8 / 8
  for (let k = 0; k < width; k++) {
    const plane = 8 * k * groups
    for (let g = 0, e = k; g < groups; g++, e += 8 * width) {
      const p = plane + g
      const high =
        (data[p]! << 24) | (data[p + groups]! << 16) | (data[p + 2 * groups]! << 8) | data[p + 3 * groups]!
      const low =
        (data[p + 4 * groups]! << 24) |
        (data[p + 5 * groups]! << 16) |
        (data[p + 6 * groups]! << 8) |
        data[p + 7 * groups]!
      transpose8(high, low, out, e, width)
    }
  }
  out.set(data.subarray(n8 * width), n8 * width)
}
