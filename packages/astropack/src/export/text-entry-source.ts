import { AstropackError } from '@astropack/codecs'
import type { ByteSource, EntryRecord, PackageReader } from '@astropack/format'
import type { EntrySourceStats } from './entry-source.js'

/**
 * One entry of a package as a byte source for readers that read front to back (the CSV reader: a type
 * scan, then the rows). A text table's groups hold no fixed number of bytes, so a range cannot be found
 * without decoding what comes before it: pieces are decoded in order, only the pieces from the last
 * range's start on are kept, and a range before them starts over from the first piece. A pass that
 * reaches the entry's end checks its SHA-256 (CHECKSUM_MISMATCH). A range within one piece is a view of
 * it; only a range across pieces is copied (a copy of every range, and a new window per piece, took an
 * eighth of exporting Tycho-2's CSV).
 */
export class SequentialEntrySource implements ByteSource {
  readonly byteLength: number
  /** Pieces decoded (each pass over the entry decodes them all again); no cache between passes. */
  readonly stats: EntrySourceStats = { decoded: 0, cacheHits: 0 }
  readonly #reader: PackageReader
  readonly #entry: EntryRecord
  #next: AsyncGenerator<Uint8Array> | undefined
  /** Decoded pieces held, in order; the first starts at #heldStart. */
  #held: Uint8Array[] = []
  #heldStart = 0
  #heldEnd = 0

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
    if (this.#next === undefined || start < this.#heldStart) {
      this.#next = this.#reader.readVerifiedEntryChunks(this.#entry.path)
      this.#held = []
      this.#heldStart = this.#heldEnd = 0
    }
    // Pieces wholly before `start` are not needed again.
    while (this.#held.length > 0 && this.#heldStart + this.#held[0]!.byteLength <= start) {
      this.#heldStart += this.#held.shift()!.byteLength
    }
    while (this.#heldEnd < end) {
      const next = await this.#next.next()
      if (next.done) throw new AstropackError('TRUNCATED', `${this.#entry.path} ended before byte ${end}`)
      this.stats.decoded++
      if (this.#held.length === 0) this.#heldStart = this.#heldEnd
      this.#held.push(next.value)
      this.#heldEnd += next.value.byteLength
      // At the entry's end, its SHA-256: a pass that read it all fails if the whole is not the file.
      if (this.#heldEnd === this.byteLength) await this.#next.next()
    }
    const first = this.#held[0] ?? new Uint8Array(0)
    if (end - this.#heldStart <= first.byteLength)
      return first.subarray(start - this.#heldStart, end - this.#heldStart)
    const out = new Uint8Array(end - start)
    let at = this.#heldStart
    for (const piece of this.#held) {
      const from = Math.max(start, at)
      const to = Math.min(end, at + piece.byteLength)
      if (from < to) out.set(piece.subarray(from - at, to - at), from - start)
      at += piece.byteLength
    }
    return out
  }
}
