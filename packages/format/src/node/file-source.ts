import { constants, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'
import { AstropackError } from '../errors.js'
import { type ByteSource, checkRange } from '../source.js'

/** A package in a local file. Reads are positional, so one open file serves concurrent readers. */
export async function openFile(path: string): Promise<ByteSource> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    // Not blocking: opening a FIFO to read would wait for a writer forever.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO'
    throw new AstropackError(code, `cannot open ${path}: ${(cause as Error).message}`, { cause })
  }
  const stats = await handle.stat()
  if (!stats.isFile()) {
    await handle.close()
    throw new AstropackError('USAGE', `${path} is ${notAFile(stats)}, not a package file`)
  }
  const { size } = stats
  return {
    byteLength: size,
    slice: async (start, end, into) => {
      checkRange(start, end, size)
      const out =
        into && into.byteLength >= end - start ? into.subarray(0, end - start) : new Uint8Array(end - start)
      let done = 0
      while (done < out.byteLength) {
        const { bytesRead } = await handle.read(out, done, out.byteLength - done, start + done)
        if (bytesRead === 0)
          throw new AstropackError('TRUNCATED', `${path} ended at ${start + done} while reading`)
        done += bytesRead
      }
      return out
    },
    close: () => handle.close(),
  }
}

function notAFile(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder'
  if (stats.isFIFO()) return 'a pipe'
  return stats.isSocket() ? 'a socket' : 'a device'
}
