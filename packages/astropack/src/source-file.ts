import { type FileHandle, open } from 'node:fs/promises'
import { basename } from 'node:path'
import { AstropackError } from '@astropack/codecs'
import type { BufferPool } from './buffer-pool.js'
import { BoundedTasks } from './ordered-queue.js'
import type { SourceEntry } from './walk.js'

/**
 * Bytes read when a file is opened for packing: its planners' first looks (a FITS header, a CSV header
 * with comments, a fixed-width sample) and the whole of a small file come from this one read.
 */
export const FIRST_READ_BYTES = 64 * 1024

/**
 * A file being packed, opened once: the planners, the check for an identical earlier file and the segment
 * reads all go through it, and reads within its first FIRST_READ_BYTES are served from memory. A folder
 * of 3,584 small files made two opens, three reads and a stat each before.
 */
export class SourceFile {
  readonly name: string
  readonly byteLength: number
  readonly #entry: SourceEntry
  readonly #file: FileHandle
  readonly #buffers: BufferPool
  readonly #first: Uint8Array

  private constructor(entry: SourceEntry, file: FileHandle, buffers: BufferPool, first: Uint8Array) {
    this.name = basename(entry.absolutePath)
    this.byteLength = entry.size
    this.#entry = entry
    this.#file = file
    this.#buffers = buffers
    this.#first = first
  }

  /** Opens `entry` and reads its first bytes (one more than a small file's size, to see it grow). */
  static async open(entry: SourceEntry, buffers: BufferPool): Promise<SourceFile> {
    const file = await open(entry.absolutePath, 'r').catch((cause: Error) => {
      throw new AstropackError('IO', `cannot read ${entry.path}: ${cause.message}`, { cause })
    })
    try {
      const first = buffers.take(FIRST_READ_BYTES)
      // Asking one byte more than a small file holds shows, in the same read, that it grew.
      const want = Math.min(entry.size + 1, FIRST_READ_BYTES)
      let got = 0
      do {
        const { bytesRead } = await file.read(first, got, want - got, got)
        if (bytesRead === 0) break
        got += bytesRead
      } while (got < Math.min(entry.size, FIRST_READ_BYTES))
      if (got !== Math.min(entry.size, FIRST_READ_BYTES)) {
        buffers.give(first)
        throw changed(entry, got)
      }
      return new SourceFile(entry, file, buffers, first)
    } catch (error) {
      await file.close()
      throw error
    }
  }

  /** The file's first `length` bytes (at most FIRST_READ_BYTES), as a view valid until `close`. */
  head(length: number): Uint8Array {
    return this.#first.subarray(0, Math.min(length, this.#firstLength))
  }

  /** Bytes [start, end) of the file, a copy of their own (a ByteSource for the readers). */
  async slice(start: number, end: number): Promise<Uint8Array> {
    const from = Math.max(0, Math.min(start, this.byteLength))
    const out = new Uint8Array(Math.max(0, Math.min(end, this.byteLength) - from))
    await this.readInto(out, from)
    return out
  }

  /** Fills `into` with the file's bytes from `position`; a file cut short is an IO error. */
  async readInto(into: Uint8Array, position: number): Promise<void> {
    let done = 0
    const cached = Math.max(0, Math.min(into.byteLength, this.#firstLength - position))
    if (cached > 0) {
      into.set(this.#first.subarray(position, position + cached))
      done = cached
    }
    while (done < into.byteLength) {
      const { bytesRead } = await this.#file.read(into, done, into.byteLength - done, position + done)
      if (bytesRead === 0) throw new AstropackError('IO', `${this.#entry.path} shrank while being packed`)
      done += bytesRead
    }
  }

  /** Throws if the file's size is no longer the one it was listed with. */
  async checkUnchanged(): Promise<void> {
    // A small file's first read asked one byte more than its size, and saw it unchanged.
    if (this.byteLength < FIRST_READ_BYTES) return
    const { size } = await this.#file.stat()
    if (size !== this.byteLength) throw changed(this.#entry, size)
  }

  async close(): Promise<void> {
    this.#buffers.give(this.#first)
    await this.#file.close()
  }

  get #firstLength(): number {
    return Math.min(this.byteLength, FIRST_READ_BYTES)
  }
}

function changed(entry: SourceEntry, size: number): AstropackError {
  const now = size > entry.size ? 'more' : `${size}`
  return new AstropackError('IO', `${entry.path} changed while being packed (${entry.size} → ${now} bytes)`)
}

/** Files opened (and their first bytes read) ahead of the one being packed, and closes under way. */
const FILES_AHEAD = 4

/**
 * The files to pack, opened in order FILES_AHEAD ahead of the one being packed and closed in the
 * background: a small file's pack is otherwise mostly waiting for its open, read and close (3,584 small
 * files spent 1.45 of 3.1 s so). An error opening a file is thrown when its turn comes.
 */
export class SourceFiles {
  readonly #entries: readonly SourceEntry[]
  readonly #buffers: BufferPool
  readonly #opening: Promise<SourceFile>[] = []
  readonly #closing = new BoundedTasks(FILES_AHEAD)
  #next = 0

  constructor(files: readonly SourceEntry[], buffers: BufferPool) {
    this.#entries = files
    this.#buffers = buffers
  }

  /** The next file of the list, open. */
  async next(): Promise<SourceFile> {
    this.#openAhead()
    const file = this.#opening.shift()
    if (!file) throw new AstropackError('USAGE', 'no more files to open')
    this.#openAhead()
    return file
  }

  /** Closes a file once done with it (without waiting for the close). */
  close(file: SourceFile): Promise<void> {
    return this.#closing.add(() => file.close())
  }

  /** Closes every file still open, those opened ahead included. */
  async dispose(): Promise<void> {
    const ahead = this.#opening.splice(0)
    await Promise.all(ahead.map((file) => file.then((f) => f.close()).catch(() => {})))
    await this.#closing.settle()
  }

  #openAhead(): void {
    while (this.#opening.length < FILES_AHEAD && this.#next < this.#entries.length) {
      const file = SourceFile.open(this.#entries[this.#next++]!, this.#buffers)
      file.catch(() => {}) // thrown by next() in its turn
      this.#opening.push(file)
    }
  }
}
