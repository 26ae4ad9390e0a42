import { AstropackError } from './errors.js'

/**
 * Everything a reader needs from where a package lives: its size, and a byte range of it.
 * `slice` returns exactly `end - start` bytes or throws. Given `into` (at least `end - start` bytes), a
 * source may read into it and return a view of it, so callers can reuse memory; callers accept either.
 */
export interface ByteSource {
  readonly byteLength: number
  slice(start: number, end: number, into?: Uint8Array): Promise<Uint8Array>
  close?(): Promise<void>
}

export function fromBytes(bytes: Uint8Array): ByteSource {
  return {
    byteLength: bytes.byteLength,
    slice: async (start, end) => {
      checkRange(start, end, bytes.byteLength)
      return bytes.subarray(start, end)
    },
  }
}

export function checkRange(start: number, end: number, byteLength: number): void {
  if (
    !(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= byteLength)
  ) {
    throw new AstropackError('TRUNCATED', `range [${start}, ${end}) is outside the ${byteLength}-byte source`)
  }
}

export interface ReadStats {
  requests: number
  bytes: number
}

/** Wraps a source to count what is read from it: how partial reads are shown to be partial. */
export function withReadStats(source: ByteSource): ByteSource & { readonly stats: ReadStats } {
  const stats: ReadStats = { requests: 0, bytes: 0 }
  return {
    byteLength: source.byteLength,
    stats,
    slice: async (start, end, into) => {
      stats.requests++
      stats.bytes += end - start
      return source.slice(start, end, into)
    },
    close: () => source.close?.() ?? Promise.resolve(),
  }
}

/** Bytes a read-ahead source reads at once for a shorter slice (see withReadAhead). */
export const READ_AHEAD_BYTES = 1024 * 1024

/**
 * Wraps a source read front to back (unpack, full verification): a slice shorter than `window` reads
 * `window` bytes from its start, and the slices after it within those bytes come from memory. A folder
 * of many small files makes as many small chunks: 3,584 of them were 3,466 reads. Longer slices pass
 * through (wrap the source in withReadStats to count its reads).
 */
export function withReadAhead(source: ByteSource, window = READ_AHEAD_BYTES): ByteSource {
  // One buffer for the window, read into again and again; slices are copies, so none of it leaves. A new
  // buffer a refill cost its first writes (the corpus's unpack refilled 65 times; new memory: see
  // BENCHMARKS.md).
  let room: Uint8Array | undefined
  let held: Uint8Array = new Uint8Array(0)
  let heldStart = 0
  let refilling = false
  return {
    byteLength: source.byteLength,
    async slice(start, end, into) {
      checkRange(start, end, source.byteLength)
      if (end - start >= window) return source.slice(start, end, into)
      if (start < heldStart || end > heldStart + held.byteLength) {
        // A slice asked for while the window is being read (held is then empty) is read on its own.
        if (refilling) return source.slice(start, end, into)
        refilling = true
        held = new Uint8Array(0)
        try {
          room ??= new Uint8Array(window)
          held = await source.slice(start, Math.min(source.byteLength, start + window), room)
          heldStart = start
        } finally {
          refilling = false
        }
      }
      const bytes = held.subarray(start - heldStart, end - heldStart)
      const out = into && into.byteLength >= bytes.byteLength ? into.subarray(0, bytes.byteLength) : undefined
      if (!out) return bytes.slice()
      out.set(bytes)
      return out
    },
    close: () => source.close?.() ?? Promise.resolve(),
  }
}
