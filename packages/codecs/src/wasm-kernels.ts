import { KERNELS_WASM } from './kernels-wasm.generated.js'

/**
 * The WebAssembly SIMD module (made by scripts/kernels-wasm.ts): byte and bit planes (planes-wasm.ts) and
 * differences (differences.ts). One instance per thread, made on first use; callers copy a block of at most
 * BLOCK_BYTES into its memory at a time, so it stays KERNEL_MEMORY bytes whatever the chunk.
 */
export interface WasmKernels {
  /** The module's memory: an input, an intermediate and an output region of BLOCK_BYTES each. */
  memory: Uint8Array
  planesToBytes(src: number, dst: number, n: number): void
  bytesToPlanes(src: number, dst: number, n: number): void
  interleave(src: number, dst: number, n: number, width: number): void
  deinterleave(src: number, dst: number, n: number, width: number): void
  swapBytes(p: number, bytes: number, width: number): void
  /** The difference kernel of an operation, width, direction and zigzag: see scripts/differences-wat.ts. */
  difference(operation: 'delta' | 'xor', width: number, decode: boolean, zigzag: boolean): DifferenceKernel
  /** The decimal kernel of a width and direction: see scripts/decimal-wat.ts. */
  decimal(width: 4 | 8, decode: boolean): DecimalKernel
  /** The split-delta kernel of a width and direction: see scripts/differences-wat.ts. */
  splitDelta(width: 4 | 8, decode: boolean): SplitDeltaKernel
}

/** Elements first to n - 1 of the n at p become their split differences with `bits` low bits (or back), in place. */
type SplitDeltaKernel = (p: number, first: number, n: number, bits: number) => void

/** The n elements at p, in place, with 10^scale as `power`; 1 at an element that cannot be kept, else 0. */
type DecimalKernel = (p: number, n: number, power: number) => number

/** Elements first to n - 1 of the n at p become their differences (or back), in place. */
export type DifferenceKernel = (p: number, first: number, n: number, lag: number) => void

export const BLOCK_BYTES = 1 << 18
const KERNEL_MEMORY = 3 * BLOCK_BYTES
const PAGE = 65536

function instantiate(): WasmKernels | undefined {
  let exports: Record<string, unknown> & { memory: WebAssembly.Memory }
  try {
    const bytes = Uint8Array.from(atob(KERNELS_WASM), (c) => c.charCodeAt(0))
    exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as typeof exports
    exports.memory.grow((KERNEL_MEMORY - exports.memory.buffer.byteLength) / PAGE)
  } catch {
    return undefined // no WebAssembly (node --jitless, a page whose CSP forbids it) or no SIMD
  }
  return {
    ...(exports as unknown as Omit<WasmKernels, 'memory' | 'difference' | 'decimal' | 'splitDelta'>),
    memory: new Uint8Array(exports.memory.buffer),
    difference: (operation, width, decode, zigzag) =>
      exports[
        `${operation}${width}${decode ? 'Decode' : 'Encode'}${zigzag ? 'Zigzag' : ''}`
      ] as DifferenceKernel,
    decimal: (width, decode) => exports[`decimal${width}${decode ? 'Decode' : 'Encode'}`] as DecimalKernel,
    splitDelta: (width, decode) =>
      exports[`splitDelta${width}${decode ? 'Decode' : 'Encode'}`] as SplitDeltaKernel,
  }
}

let kernels: WasmKernels | undefined | null = null

/** The kernels, or undefined where WebAssembly SIMD cannot run. */
export function wasmKernels(): WasmKernels | undefined {
  if (kernels === null) kernels = instantiate()
  return kernels
}

export function overlapping(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  )
}

/**
 * Runs a kernel over `data` into `out` through the module's memory a block at a time: each block after
 * the `lag` elements before it (decoded already, or as they were when encoding), byte-reversed for
 * big-endian values; `kernel(first, n)` works in place on the n elements at 0, the block from `first`.
 * Trailing bytes that do not fill an element pass through unchanged.
 */
export function inBlocks(
  wasm: WasmKernels,
  data: Uint8Array,
  out: Uint8Array,
  width: number,
  bigEndian: boolean,
  lag: number,
  decode: boolean,
  kernel: (first: number, n: number) => void,
): void {
  const { memory } = wasm
  const swapped = bigEndian && width > 1
  const whole = Math.floor(data.byteLength / width) * width
  const block = Math.floor(BLOCK_BYTES / width) * width
  for (let start = 0; start < whole; start += block) {
    const end = Math.min(whole, start + block)
    const context = Math.min(lag * width, start)
    memory.set((decode ? out : data).subarray(start - context, start), 0)
    memory.set(data.subarray(start, end), context)
    const bytes = context + end - start
    if (swapped) wasm.swapBytes(0, bytes, width)
    kernel(context / width, bytes / width)
    if (swapped) wasm.swapBytes(context, end - start, width)
    out.set(memory.subarray(context, bytes), start)
  }
  out.set(data.subarray(whole), whole)
}
