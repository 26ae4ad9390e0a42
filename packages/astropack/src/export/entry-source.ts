import { AstropackError } from '@astropack/codecs'
import {
  type EntryRecord,
  joinRows,
  type PackageReader,
  readGroupValues,
  type SegmentRecord,
} from '@astropack/format'

/**
 * One entry of a package read as if it were the original file, at any offset: each read decodes only
 * the chunks (bytes segments) or row groups (table segments) that hold the bytes asked for, so the FITS
 * reader can walk a 10 GB table while memory holds a few decoded pieces.
 */

/**
 * A run of the entry's bytes that decodes on its own: one chunk, one group of table rows, or (tables the
 * file holds column after column) one column of a group.
 */
interface Piece {
  start: number
  end: number
  segment: SegmentRecord
  /** The chunk (bytes segments) or group number (rows segments). */
  at: number
  /** The column, in a column-major rows segment. */
  slot?: number
}

/** Decoded pieces kept for the next reads: sequential readers touch each piece once or twice. */
const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024

export interface EntrySourceStats {
  /** Pieces decoded, counting each time one is decoded again after leaving the cache. */
  decoded: number
  /** Reads answered without decoding. */
  cacheHits: number
}

export class EntryByteSource {
  readonly byteLength: number
  readonly stats: EntrySourceStats = { decoded: 0, cacheHits: 0 }
  readonly #reader: PackageReader
  readonly #entry: EntryRecord
  readonly #pieces: Piece[]
  readonly #cacheBytes: number
  /** Most recently used last. */
  readonly #cache = new Map<Piece, Uint8Array>()
  #cached = 0

  constructor(reader: PackageReader, entry: EntryRecord, options: { cacheBytes?: number } = {}) {
    if (entry.kind !== 'file') throw new AstropackError('USAGE', `${JSON.stringify(entry.path)} is a folder`)
    this.#reader = reader
    this.#entry = entry
    this.byteLength = entry.size
    this.#cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES
    this.#pieces = piecesOf(reader, entry)
  }

  /** The entry's bytes [start, end): a view of a decoded piece when one holds them all, else a copy. */
  async slice(start: number, end: number): Promise<Uint8Array> {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end)) {
      throw new AstropackError('USAGE', `range [${start}, ${end}) is not a byte range`)
    }
    if (end > this.byteLength) {
      throw new AstropackError(
        'TRUNCATED',
        `range [${start}, ${end}) is outside ${JSON.stringify(this.#entry.path)} (${this.byteLength} bytes)`,
      )
    }
    if (start === end) return new Uint8Array(0)
    let index = this.#pieceAt(start)
    const first = this.#pieces[index]!
    if (end <= first.end) {
      const bytes = await this.#decoded(first)
      return bytes.subarray(start - first.start, end - first.start)
    }
    const out = new Uint8Array(end - start)
    for (let at = start; at < end; index++) {
      const piece = this.#pieces[index]!
      const bytes = await this.#decoded(piece)
      const to = Math.min(end, piece.end)
      out.set(bytes.subarray(at - piece.start, to - piece.start), at - start)
      at = to
    }
    return out
  }

  /** Binary search: the piece holding byte `offset`. */
  #pieceAt(offset: number): number {
    let low = 0
    let high = this.#pieces.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (this.#pieces[middle]!.start <= offset) low = middle
      else high = middle - 1
    }
    return low
  }

  async #decoded(piece: Piece): Promise<Uint8Array> {
    const hit = this.#cache.get(piece)
    if (hit) {
      this.stats.cacheHits++
      this.#cache.delete(piece)
      this.#cache.set(piece, hit)
      return hit
    }
    const bytes = await this.#decode(piece)
    if (bytes.byteLength !== piece.end - piece.start) {
      throw new AstropackError(
        'CORRUPT_CHUNK',
        `${JSON.stringify(this.#entry.path)}: bytes ${piece.start}..${piece.end} decoded to ${bytes.byteLength} bytes`,
      )
    }
    this.stats.decoded++
    this.#cache.set(piece, bytes)
    this.#cached += bytes.byteLength
    for (const [old, oldBytes] of this.#cache) {
      if (this.#cached <= this.#cacheBytes || old === piece) break
      this.#cache.delete(old)
      this.#cached -= oldBytes.byteLength
    }
    return bytes
  }

  async #decode({ segment, at, slot }: Piece): Promise<Uint8Array> {
    const reader = this.#reader
    if (segment.layout === 'bytes') {
      for await (const { chunk, stored } of reader.readStored([at])) return reader.decode(chunk, stored)
    }
    if (segment.layout !== 'rows') throw textSegmentError(this.#entry)
    if (segment.columnMajor) {
      for await (const values of readGroupValues(reader, segment, slot!, at, at + 1)) return values
      throw new AstropackError('CORRUPT_CHUNK', `${JSON.stringify(this.#entry.path)}: group ${at} is missing`)
    }
    const perGroup = segment.columns.length
    const first = segment.firstChunk + at * perGroup
    const members = Array.from({ length: perGroup }, (_, i) => first + i)
    const parts: Uint8Array[] = []
    for await (const { chunk, stored } of reader.readStored(members))
      parts.push(await reader.decode(chunk, stored))
    const rows = Math.min(segment.rowsPerGroup, segment.rowCount - at * segment.rowsPerGroup)
    return joinRows(parts, segment.rowWidth, segment.columns, rows)
  }
}

/** Every piece of the entry, in order; they cover it exactly (the index was checked when opened). */
function piecesOf(reader: PackageReader, entry: EntryRecord): Piece[] {
  const segments = reader.segmentsOf(entry) ?? [
    { layout: 'bytes' as const, ...entry, entryIndex: -1, rawOffset: 0, rawLength: entry.size },
  ]
  const pieces: Piece[] = []
  for (const segment of segments) {
    let start = segment.rawOffset
    if (segment.layout === 'bytes') {
      for (let i = 0; i < segment.chunkCount; i++) {
        const size = reader.chunks[segment.firstChunk + i]!.rawSize
        pieces.push({ start, end: start + size, segment, at: segment.firstChunk + i })
        start += size
      }
    } else if (segment.layout === 'rows' && segment.columnMajor) {
      for (const [slot, { width }] of segment.columns.entries()) {
        for (let group = 0; group * segment.rowsPerGroup < segment.rowCount; group++) {
          const rows = Math.min(segment.rowsPerGroup, segment.rowCount - group * segment.rowsPerGroup)
          pieces.push({ start, end: start + rows * width, segment, at: group, slot })
          start += rows * width
        }
      }
    } else if (segment.layout === 'rows') {
      const groupBytes = segment.rowsPerGroup * segment.rowWidth
      for (let group = 0; start < segment.rawOffset + segment.rawLength; group++) {
        const end = Math.min(start + groupBytes, segment.rawOffset + segment.rawLength)
        pieces.push({ start, end, segment, at: group })
        start = end
      }
    } else {
      // Text groups have no known offsets until every earlier group is decoded: one opaque piece.
      pieces.push({ start, end: start + segment.rawLength, segment, at: 0 })
    }
  }
  return pieces.filter((piece) => piece.end > piece.start)
}

function textSegmentError(entry: EntryRecord): AstropackError {
  return new AstropackError(
    'UNSUPPORTED_FEATURE',
    `${JSON.stringify(entry.path)} holds a text table: its bytes are read in order, not at an offset`,
  )
}
