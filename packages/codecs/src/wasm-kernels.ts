import { KERNELS_WASM } from './kernels-wasm.generated.js'

/**
 * The WebAssembly SIMD module (made by scripts/kernels-wasm.ts): byte and bit planes (planes-simd.ts) and
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
}

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
    ...(exports as unknown as Omit<WasmKernels, 'memory' | 'difference'>),
    memory: new Uint8Array(exports.memory.buffer),
    difference: (operation, width, decode, zigzag) =>
      exports[
        `${operation}${width}${decode ? 'Decode' : 'Encode'}${zigzag ? 'Zigzag' : ''}`
      ] as DifferenceKernel,
  }
}

let kernels: WasmKernels | undefined | null = null

/** The kernels, or undefined where WebAssembly SIMD cannot run. */
export function wasmKernels(): WasmKernels | undefined {
  if (kernels === null) kernels = instantiate()
  return kernels
}
