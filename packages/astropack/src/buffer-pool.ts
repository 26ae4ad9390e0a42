import { DEFAULT_CHUNK_SIZE } from '@astropack/format/layouts'

/**
 * Reusable buffers, by size. Filling freshly allocated memory runs at only ~360 MB/s on these machines,
 * and per-chunk garbage inflates RSS, so chunk buffers go round: taken for a read, an encode or a decode,
 * sent to a worker and back, given back once written. Give back only buffers nothing else holds.
 */
export class BufferPool {
  readonly #free = new Map<number, ArrayBuffer[]>()
  #freeBytes = 0
  /** Free buffers kept beyond this are dropped: odd sizes (a big table group) must not pile up. */
  readonly maxFreeBytes: number

  constructor(maxFreeBytes = 64 * 1024 * 1024) {
    this.maxFreeBytes = maxFreeBytes
  }

  /** A whole, exclusively owned buffer of exactly `size` bytes. */
  take(size: number): Uint8Array<ArrayBuffer> {
    const reused = this.#free.get(size)?.pop()
    if (!reused) return new Uint8Array(size)
    this.#freeBytes -= size
    return new Uint8Array(reused)
  }

  give(...buffers: (Uint8Array | undefined)[]): void {
    for (const bytes of buffers) {
      const buffer = bytes?.buffer
      if (!(buffer instanceof ArrayBuffer) || buffer.detached) continue
      if (this.#freeBytes + buffer.byteLength > this.maxFreeBytes) continue
      const list = this.#free.get(buffer.byteLength) ?? []
      list.push(buffer)
      this.#free.set(buffer.byteLength, list)
      this.#freeBytes += buffer.byteLength
    }
  }
}

/** Room for one encoded frame of `size` raw bytes: above zstd's, lz4's and gzip's worst-case expansion. */
export function frameBound(size: number): number {
  return size + (size >> 7) + 1024
}

/**
 * The size of pooled buffer to take for `bytes` bytes. Up to the default chunk, a few sizes a factor of
 * 4 apart (64 KiB to one chunk and its frame), so buffers go round between reads, encodes and decodes;
 * whole MiBs above it. A small file must not take a whole chunk's buffer: each transfer to a worker and
 * back counts as new external memory for V8, and 3,584 small files (52 MiB) moving 8 MiB buffers each
 * spent 3.4 of 8.9 s packing in the garbage collector.
 */
export function pooledSize(bytes: number): number {
  const MiB = 1024 * 1024
  const standard = DEFAULT_CHUNK_SIZE + DEFAULT_CHUNK_SIZE / 32
  if (bytes > standard) return Math.ceil(bytes / MiB) * MiB
  for (let size = SMALLEST_POOLED; size <= standard / 4; size *= 4) if (bytes <= size) return size
  return standard
}

const SMALLEST_POOLED = 64 * 1024
