import { shuffleWasm, unshuffleWasm } from './planes-wasm.js'
import { wasmKernels } from './wasm-kernels.js'

/**
 * Byte planes (SPEC §7.1, op 1): all first bytes of the elements, then all second bytes, ...: exponents
 * and high bytes of numbers line up (Parquet's BYTE_STREAM_SPLIT, Blosc's shuffle). Trailing bytes that
 * do not fill an element pass through unchanged. WebAssembly SIMD does the work (planes-wasm.ts); the
 * loops below stand in where it cannot run.
 */
export function shuffle(data: Uint8Array, width: number, out: Uint8Array): void {
  const wasm = wasmKernels()
  if (wasm && width > 1) shuffleWasm(wasm, data, width, out)
  else shuffleScalar(data, width, out)
}

export function unshuffle(data: Uint8Array, width: number, out: Uint8Array): void {
  const wasm = wasmKernels()
  if (wasm && width > 1) unshuffleWasm(wasm, data, width, out)
  else unshuffleScalar(data, width, out)
}

/** The JavaScript loops: where WebAssembly cannot run, and for tests. */
export function shuffleScalar(data: Uint8Array, width: number, out: Uint8Array): void {
  const n = Math.floor(data.byteLength / width)
  for (let k = 0; k < width; k++)
    for (let i = 0, j = k, p = k * n; i < n; i++, j += width) out[p + i] = data[j]!
  out.set(data.subarray(n * width), n * width)
}

export function unshuffleScalar(data: Uint8Array, width: number, out: Uint8Array): void {
  const n = Math.floor(data.byteLength / width)
  for (let k = 0; k < width; k++)
    for (let i = 0, j = k, p = k * n; i < n; i++, j += width) out[j] = data[p + i]!
  out.set(data.subarray(n * width), n * width)
}
