import { constants } from 'node:fs'
import { type FileHandle, open } from 'node:fs/promises'

/**
 * Large new files are written with O_DIRECT (Linux), past the page cache. On the 2-core VM the
 * benchmarks run on, putting a new file's pages in the page cache is most of what writing costs: a
 * 5 GiB file written 4 MiB at a time from Node took 15.0 s and 20.4 s of kernel CPU buffered, 5.2 s
 * and 1.2 s direct (session 19), and that kernel CPU is taken from the codec workers. A multi-gigabyte
 * output also no longer pushes everything else out of the page cache. Below this size (chosen, not
 * measured) the saving is small, a file is more often read again at once, and its staging memory
 * (3 MiB) would be a large part of a small run's.
 */
export const DIRECT_MIN_BYTES = 64 * 1024 * 1024

/** What O_DIRECT asks of a write's buffer address, file position and length (4096 covers 512 too). */
const ALIGN = 4096
/**
 * Staging blocks: one being filled while the others are on their way to the disk. 1 MiB writes reach the
 * disk as fast as 4 MiB ones here (1.1-2.6 GB/s either way, 3 GiB from Node), and three blocks of 1 MiB
 * keep a pack of 768 MiB of CSV on two workers under 256 MiB of RSS, where three of 4 MiB did not.
 */
export const STAGING_BLOCK = 1024 * 1024
const BLOCKS = 3

const O_DIRECT: number | undefined = constants.O_DIRECT

/**
 * How a file was written: through the page cache, direct, or direct until the system refused a write
 * (the rest through the page cache).
 */
export type WriteIo = 'buffered' | 'direct' | 'direct, then buffered'

/** A file being written from start to end, one awaited write after another; `close` finishes it. */
export interface SequentialWriter {
  readonly io: WriteIo
  write(bytes: Uint8Array): Promise<void>
  close(): Promise<void>
}

/**
 * Creates `path` (which must not exist) for writing: direct when asked and the platform and file system
 * allow it, else through the page cache as usual. `stagingOffset` misaligns the staging blocks (tests
 * of a refused direct write).
 */
export async function createWriter(
  path: string,
  mode: number,
  direct: boolean,
  stagingOffset = 0,
): Promise<SequentialWriter> {
  const blocks = direct && O_DIRECT !== undefined ? stagingBlocks(stagingOffset) : undefined
  if (blocks) {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_DIRECT!
    const handle = await open(path, flags, mode).catch((error: NodeJS.ErrnoException) => {
      // A file system that refuses O_DIRECT may do so after creating the file: open it plainly then.
      if (error.code === 'EINVAL') return undefined
      throw error
    })
    if (handle) return new DirectWriter(path, handle, blocks)
    releaseStaging(blocks)
    return new BufferedWriter(await open(path, 'w', mode))
  }
  return new BufferedWriter(await open(path, 'wx', mode))
}

/**
 * Aligned staging blocks: WebAssembly memory is mapped whole pages at a time, an ArrayBuffer's store
 * need not be. Undefined when the memory cannot be had (a process under a tight `ulimit -v`: V8 reserves
 * guard pages around it): the file is then written through the page cache. Sets of blocks a closed file
 * gave back are used again: new memory is slow to touch on the benchmark VM (~15 µs a page, so 12 ms
 * for a set), and an unpack of several large files would otherwise take a set each. Exported for tests.
 */
export function stagingBlocks(offset: number): Uint8Array[] | undefined {
  if (offset === 0 && spareStaging.length > 0) return spareStaging.pop()
  let memory: WebAssembly.Memory
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil((BLOCKS * STAGING_BLOCK + offset) / 65536) })
  } catch {
    return undefined
  }
  return Array.from(
    { length: BLOCKS },
    (_, i) => new Uint8Array(memory.buffer, offset + i * STAGING_BLOCK, STAGING_BLOCK),
  )
}

const spareStaging: Uint8Array[][] = []
/** Two sets: unpack opens the next file while the last one is written. */
const MAX_SPARE_STAGING = 2

function releaseStaging(blocks: Uint8Array[]): void {
  if (blocks[0]!.byteOffset === 0 && spareStaging.length < MAX_SPARE_STAGING) spareStaging.push(blocks)
}

/** Writes all of `bytes` at `position` (a write may take fewer bytes than given). */
async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number | null): Promise<void> {
  let done = 0
  while (done < bytes.byteLength) {
    const at = position === null ? null : position + done
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, at)
    done += bytesWritten
  }
}

class BufferedWriter implements SequentialWriter {
  readonly io = 'buffered'

  constructor(readonly handle: FileHandle) {}

  write(bytes: Uint8Array): Promise<void> {
    return writeAll(this.handle, bytes, null)
  }

  close(): Promise<void> {
    return this.handle.close()
  }
}

/**
 * Copies the bytes into aligned staging blocks and writes whole blocks with O_DIRECT; the last few
 * bytes (under ALIGN) go through a plain handle. If a direct write is refused (EINVAL: the buffer or
 * the device's block size is not what was assumed), that block and everything after it are written
 * through the plain handle instead: the file is the same, only slower. Exported (not from the package)
 * for the tests that make writes come back short.
 */
export class DirectWriter implements SequentialWriter {
  readonly #path: string
  readonly #direct: FileHandle
  #plain: Promise<FileHandle> | undefined
  #refused = false
  readonly #blocks: Uint8Array[]
  readonly #writes: (Promise<void> | undefined)[] = []
  #current = 0
  #fill = 0
  /** Where the block being filled starts in the file. */
  #position = 0

  constructor(path: string, direct: FileHandle, blocks: Uint8Array[]) {
    this.#path = path
    this.#direct = direct
    this.#blocks = blocks
  }

  get io(): WriteIo {
    return this.#refused ? 'direct, then buffered' : 'direct'
  }

  async write(bytes: Uint8Array): Promise<void> {
    let done = 0
    while (done < bytes.byteLength) {
      const block = this.#blocks[this.#current]!
      const taken = Math.min(STAGING_BLOCK - this.#fill, bytes.byteLength - done)
      block.set(bytes.subarray(done, done + taken), this.#fill)
      this.#fill += taken
      done += taken
      if (this.#fill === STAGING_BLOCK) await this.#send()
    }
  }

  /** Starts writing the full block and waits until the next one is free to fill. */
  async #send(): Promise<void> {
    const written = this.#writeBlock(this.#blocks[this.#current]!, this.#position)
    written.catch(() => {}) // observed when the block is next needed, or by close
    this.#writes[this.#current] = written
    this.#position += STAGING_BLOCK
    this.#fill = 0
    this.#current = (this.#current + 1) % BLOCKS
    await this.#writes[this.#current]
  }

  async #writeBlock(bytes: Uint8Array, position: number): Promise<void> {
    while (!this.#refused && bytes.byteLength > 0) {
      let written: number
      try {
        written = (await this.#direct.write(bytes, 0, bytes.byteLength, position)).bytesWritten
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error
        this.#refused = true
        break
      }
      bytes = bytes.subarray(written)
      position += written
      // A short write that stops off a 4096-byte boundary leaves bytes O_DIRECT cannot take from there.
      if (written === 0 || written % ALIGN !== 0) break
    }
    if (bytes.byteLength > 0) await writeAll(await this.#plainHandle(), bytes, position)
  }

  #plainHandle(): Promise<FileHandle> {
    this.#plain ??= open(this.#path, 'r+')
    return this.#plain
  }

  async close(): Promise<void> {
    try {
      await Promise.all(this.#writes)
      const block = this.#blocks[this.#current]!
      const aligned = this.#fill - (this.#fill % ALIGN)
      if (aligned > 0) await this.#writeBlock(block.subarray(0, aligned), this.#position)
      if (this.#fill > aligned) {
        await writeAll(
          await this.#plainHandle(),
          block.subarray(aligned, this.#fill),
          this.#position + aligned,
        )
      }
    } finally {
      // Every write is over before the blocks serve another file, even when one of them failed.
      await Promise.allSettled(this.#writes)
      releaseStaging(this.#blocks)
      await Promise.all([this.#direct.close(), this.#plain?.then((handle) => handle.close())])
    }
  }
}
