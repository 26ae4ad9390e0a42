import { open } from 'node:fs/promises'

/** Random access to bytes: a file, an HTTP range reader or memory. `slice` may return a view. */
export interface ByteSource {
  readonly byteLength: number
  slice(start: number, end: number): Promise<Uint8Array>
}

/** A ByteSource over bytes already in memory; slices are views, not copies. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    byteLength: bytes.byteLength,
    slice: async (start, end) => bytes.subarray(start, end),
  }
}

export interface FileSource extends ByteSource {
  close(): Promise<void>
}

/** Opens a local file as a ByteSource that reads each slice with one positioned read. */
export async function openFileSource(path: string): Promise<FileSource> {
  const handle = await open(path, 'r')
  const { size } = await handle.stat()
  return {
    byteLength: size,
    async slice(start, end) {
      const from = Math.max(0, Math.min(start, size))
      const length = Math.max(0, Math.min(end, size) - from)
      const out = new Uint8Array(length)
      let done = 0
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, from + done)
        if (bytesRead === 0) break
        done += bytesRead
      }
      return done === length ? out : out.subarray(0, done)
    },
    close: () => handle.close(),
  }
}
