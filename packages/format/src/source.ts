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
