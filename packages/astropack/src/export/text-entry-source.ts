import { AstropackError } from '@astropack/codecs'
import type { ByteSource, EntryRecord, PackageReader } from '@astropack/format'
import type { EntrySourceStats } from './entry-source.js'

/**
 * One entry of a package as a byte source for readers that read front to back (the CSV reader: a type
 * scan, then the rows). A text table's groups hold no fixed number of bytes, so a range cannot be found
 * without decoding what comes before it: pieces are decoded in order, only a window around the last range
 * is kept, and a range before that window starts over from the first piece.
 */
export class SequentialEntrySource implements ByteSource {
  readonly byteLength: number
  /** Pieces decoded (each pass over the entry decodes them all again); no cache between passes. */
  readonly stats: EntrySourceStats = { decoded: 0, cacheHits: 0 }
  readonly #reader: PackageReader
  readonly #entry: EntryRecord
  #pieces: AsyncGenerator<Uint8Array> | undefined
  #window = new Uint8Array(0)
  #windowStart = 0

  constructor(reader: PackageReader, entry: EntryRecord) {
    this.#reader = reader
    this.#entry = entry
    this.byteLength = entry.size
  }

  async slice(start: number, end: number): Promise<Uint8Array> {
    if (
      !(
        Number.isSafeInteger(start) &&
        Number.isSafeInteger(end) &&
        0 <= start &&
        start <= end &&
        end <= this.byteLength
      )
    )
      throw new AstropackError('TRUNCATED', `range [${start}, ${end}) is outside ${this.#entry.path}`)
    if (this.#pieces === undefined || start < this.#windowStart) {
      this.#pieces = this.#reader.readEntryChunks(this.#entry.path)
      this.#window = new Uint8Array(0)
      this.#windowStart = 0
    }
    while (this.#windowStart + this.#window.byteLength < end) {
      const next = await this.#pieces.next()
      if (next.done) throw new AstropackError('TRUNCATED', `${this.#entry.path} ended before byte ${end}`)
      this.stats.decoded++
      // Keep only the bytes from `start` on, then the new piece after them.
      const keep = this.#window.subarray(
        Math.min(Math.max(0, start - this.#windowStart), this.#window.byteLength),
      )
      const window = new Uint8Array(keep.byteLength + next.value.byteLength)
      window.set(keep)
      window.set(next.value, keep.byteLength)
      this.#windowStart += this.#window.byteLength - keep.byteLength
      this.#window = window
    }
    return this.#window.slice(start - this.#windowStart, end - this.#windowStart)
  }
}
