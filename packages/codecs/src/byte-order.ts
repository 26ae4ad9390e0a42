import { BLOCK_BYTES, type WasmKernels, wasmKernels } from './wasm-kernels.js'

/**
 * Each element's bytes in reverse order (SPEC §7.1, op 12, its own inverse): little-endian numbers then
 * lie most significant byte first, so the byte or bit planes after it come high planes first, as a
 * big-endian column's do. zstd codes them better so (Tycho-2's magnitudes as little-endian decimals, in
 * byte planes: 2.97 -> 2.88 MB). Trailing bytes that do not fill an element pass through unchanged. The
 * module's swap (the one its kernels use for big-endian values) does the work a block at a time: 11-13
 * GB/s on 4 MiB here against 1.9-6 for the loop below, which stands in where it cannot run.
 */
export function swapBytes(data: Uint8Array, width: number, out: Uint8Array): void {
  const wasm = wasmKernels()
  if (wasm && width > 1) swapBytesWasm(wasm, data, width, out)
  else swapBytesScalar(data, width, out)
}

function swapBytesWasm(wasm: WasmKernels, data: Uint8Array, width: number, out: Uint8Array): void {
  const whole = Math.floor(data.byteLength / width) * width
  const block = Math.floor(BLOCK_BYTES / width) * width
  for (let start = 0; start < whole; start += block) {
    const end = Math.min(whole, start + block)
    wasm.memory.set(data.subarray(start, end), 0)
    wasm.swapBytes(0, end - start, width)
    out.set(wasm.memory.subarray(0, end - start), start)
  }
  out.set(data.subarray(whole), whole)
}

/** The JavaScript loop: where WebAssembly cannot run, and for tests. */
export function swapBytesScalar(data: Uint8Array, width: number, out: Uint8Array): void {
  const whole = Math.floor(data.byteLength / width) * width
  const from = new DataView(data.buffer, data.byteOffset, whole)
  const to = new DataView(out.buffer, out.byteOffset, whole)
  if (width === 2) {
    for (let at = 0; at < whole; at += 2) to.setUint16(at, from.getUint16(at, true), false)
  } else if (width === 4) {
    for (let at = 0; at < whole; at += 4) to.setUint32(at, from.getUint32(at, true), false)
  } else if (width === 8) {
    for (let at = 0; at < whole; at += 8) {
      const low = from.getUint32(at, true)
      to.setUint32(at, from.getUint32(at + 4, true), false)
      to.setUint32(at + 4, low, false)
    }
  } else out.set(data.subarray(0, whole))
  out.set(data.subarray(whole), whole)
}
