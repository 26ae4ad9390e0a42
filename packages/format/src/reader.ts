import {
  type Codec,
  crc32,
  createSha256,
  invertTransforms,
  loadCodec,
  type TransformStep,
} from '@astropack/codecs'
import { readGroupValues } from './columns.js'
import { AstropackError } from './errors.js'
import { type ChunkRecord, decodeIndex, type EntryRecord, type IndexContent } from './index-sections.js'
import { type Manifest, parseManifest } from './manifest.js'
import { joinRows } from './rows.js'
import type { ByteSource } from './source.js'
import {
  CODEC_BY_ID,
  FIRST_READ_SIZE,
  HEADER_SIZE,
  LIMITS,
  type StoredCodecName,
  TRAILER_SIZE,
} from './spec.js'
import { joinTextGroup } from './text-table.js'
import { checkHeader, checkHeaderMatches, decodeTrailer, type Trailer } from './trailer.js'
import type { RowsLayout, SegmentRecord, TextLayout } from './typed-sections.js'

/** Neighbouring chunks are fetched in one read of at most this many bytes. */
export const MAX_COALESCED_READ = 8 * 1024 * 1024

export interface StoredChunk {
  index: number
  chunk: ChunkRecord
  stored: Uint8Array
}

/** A package opened for reading: its trailer and index are checked and in memory, its data is not. */
export class PackageReader {
  readonly source: ByteSource
  readonly trailer: Trailer
  readonly manifest: Manifest
  readonly entries: readonly EntryRecord[]
  readonly chunks: readonly ChunkRecord[]
  readonly transforms: readonly TransformStep[][]
  readonly #byPath: Map<string, EntryRecord>
  readonly #segments = new Map<EntryRecord, SegmentRecord[]>()

  private constructor(source: ByteSource, trailer: Trailer, content: IndexContent) {
    this.source = source
    this.trailer = trailer
    this.manifest = parseManifest(content.manifestJson)
    this.entries = content.entries
    this.chunks = content.chunks
    this.transforms = content.transforms ?? []
    this.#byPath = new Map(content.entries.map((entry) => [entry.path, entry]))
    for (const segment of content.segments ?? []) {
      const entry = content.entries[segment.entryIndex]!
      this.#segments.set(entry, [...(this.#segments.get(entry) ?? []), segment])
    }
  }

  /**
   * Reads the trailer and index: one read of the last FIRST_READ_SIZE bytes, a second only for big
   * indexes. The header is checked when it is in that read, or always with `checkHeader` (one more read).
   */
  static async open(source: ByteSource, options: { checkHeader?: boolean } = {}): Promise<PackageReader> {
    const size = source.byteLength
    const tailStart = Math.max(0, size - FIRST_READ_SIZE)
    const header =
      tailStart > 0 && options.checkHeader ? await source.slice(0, Math.min(HEADER_SIZE, size)) : undefined
    const tail = await source.slice(tailStart, size)
    if (header) checkHeader(header)
    if (tailStart === 0) checkHeader(tail)
    const trailer = decodeTrailer(tail.subarray(tail.byteLength - TRAILER_SIZE), size)
    const headerBytes = header ?? (tailStart === 0 ? tail : undefined)
    if (headerBytes) checkHeaderMatches(headerBytes, trailer)
    if (trailer.indexRawSize > LIMITS.maxIndexRawSize) {
      throw new AstropackError(
        'LIMIT_EXCEEDED',
        `index declares ${trailer.indexRawSize} bytes (limit ${LIMITS.maxIndexRawSize})`,
      )
    }
    const indexEnd = trailer.indexOffset + trailer.indexStoredSize
    const stored =
      trailer.indexOffset >= tailStart
        ? tail.subarray(trailer.indexOffset - tailStart, indexEnd - tailStart)
        : await source.slice(trailer.indexOffset, indexEnd)
    if (crc32(stored) !== trailer.indexCrc32) {
      throw new AstropackError(
        'CHECKSUM_MISMATCH',
        `index checksum mismatch at offset ${trailer.indexOffset}`,
        {
          offset: trailer.indexOffset,
        },
      )
    }
    const codec = await codecFor(trailer.indexCodec, 'index')
    let raw: Uint8Array
    try {
      raw = codec.decode(stored, trailer.indexRawSize)
    } catch (cause) {
      throw new AstropackError('CORRUPT_INDEX', `index does not decode: ${(cause as Error).message}`, {
        cause,
      })
    }
    return new PackageReader(source, trailer, decodeIndex(raw, trailer.indexOffset))
  }

  entry(path: string): EntryRecord {
    const entry = this.#byPath.get(path)
    if (!entry) throw new AstropackError('NOT_FOUND', `no entry ${JSON.stringify(path)} in the package`)
    return entry
  }

  /** Indexes of the entry's chunks, in order. */
  chunkIndexes(entry: { firstChunk: number; chunkCount: number }): number[] {
    return Array.from({ length: entry.chunkCount }, (_, i) => entry.firstChunk + i)
  }

  /** How many stored bytes the given chunks hold together. */
  storedBytes(indexes: readonly number[]): number {
    return indexes.reduce((sum, index) => sum + this.chunks[index]!.storedSize, 0)
  }

  /**
   * The given chunks (positions in `indexes`) in runs that lie back to back in the file, each at most
   * `limit` bytes (a single chunk may exceed it): what one read can fetch.
   */
  *#runs(
    indexes: readonly number[],
    limit: number,
  ): Generator<{ from: number; to: number; start: number; end: number }> {
    let from = 0
    while (from < indexes.length) {
      const start = this.chunks[indexes[from]!]!.offset
      let end = start + this.chunks[indexes[from]!]!.storedSize
      let to = from + 1
      for (; to < indexes.length; to++) {
        const next = this.chunks[indexes[to]!]!
        if (next.offset !== end || next.offset + next.storedSize - start > limit) break
        end = next.offset + next.storedSize
      }
      yield { from, to, start, end }
      from = to
    }
  }

  /**
   * The stored bytes of the given chunks, checksum-verified, read one after another into `into` (at least
   * storedBytes(indexes) long) and returned as views of it: a table group, or one chunk, in memory the
   * caller reuses. Chunks adjacent in the file are read together.
   */
  async readStoredInto(indexes: readonly number[], into: Uint8Array): Promise<StoredChunk[]> {
    const out: StoredChunk[] = []
    let at = 0
    for (const { from, to, start, end } of this.#runs(indexes, Number.POSITIVE_INFINITY)) {
      const target = into.subarray(at, at + end - start)
      const bytes = await this.source.slice(start, end, target)
      if (bytes.buffer !== target.buffer || bytes.byteOffset !== target.byteOffset) target.set(bytes)
      for (let i = from; i < to; i++) {
        const index = indexes[i]!
        const size = this.chunks[index]!.storedSize
        out.push({
          index,
          chunk: this.chunks[index]!,
          stored: this.#verified(index, into.subarray(at, at + size)),
        })
        at += size
      }
    }
    return out
  }

  #verified(index: number, stored: Uint8Array): Uint8Array {
    const chunk = this.chunks[index]!
    if (crc32(stored) !== chunk.crc32) {
      throw new AstropackError(
        'CHECKSUM_MISMATCH',
        `chunk ${index} checksum mismatch at offset ${chunk.offset}`,
        {
          offset: chunk.offset,
        },
      )
    }
    return stored
  }

  /**
   * Yields the stored bytes of the given chunks in the given order, checksum-verified. Chunks adjacent in
   * the file are fetched together (up to MAX_COALESCED_READ), so an entry costs few range requests, and
   * the next run is being fetched while the caller takes the chunks of this one. With `scratch`
   * (MAX_COALESCED_READ bytes), reads reuse its two halves in turn: each yielded view is then valid only
   * until the next one is asked for, and no read is left writing into it once the generator is done.
   */
  async *readStored(indexes: readonly number[], scratch?: Uint8Array): AsyncGenerator<StoredChunk> {
    const half = scratch ? scratch.byteLength >>> 1 : 0
    const halves = scratch ? [scratch.subarray(0, half), scratch.subarray(half)] : undefined
    const runs = [...this.#runs(indexes, halves ? Math.max(1, half) : MAX_COALESCED_READ)]
    const fetch = (r: number) => {
      const read = this.source.slice(runs[r]!.start, runs[r]!.end, halves?.[r % 2])
      read.catch(() => {}) // observed when its turn comes
      return read
    }
    let next = runs.length > 0 ? fetch(0) : undefined
    try {
      for (let r = 0; r < runs.length; r++) {
        const bytes = await next!
        next = r + 1 < runs.length ? fetch(r + 1) : undefined
        const { from, to, start } = runs[r]!
        for (let i = from; i < to; i++) {
          const index = indexes[i]!
          const chunk = this.chunks[index]!
          const at = chunk.offset - start
          yield { index, chunk, stored: this.#verified(index, bytes.subarray(at, at + chunk.storedSize)) }
        }
      }
    } finally {
      await next?.catch(() => {})
    }
  }

  /** The segments an entry is rebuilt from, or undefined for a plain entry (its chunks in order). */
  segmentsOf(entry: EntryRecord): readonly SegmentRecord[] | undefined {
    return this.#segments.get(entry)
  }

  /** The transform chain a chunk was stored with (empty for none). */
  transformsOf(chunk: ChunkRecord): readonly TransformStep[] {
    return chunk.transformId === 0 ? [] : this.transforms[chunk.transformId - 1]!
  }

  async decode(chunk: ChunkRecord, stored: Uint8Array): Promise<Uint8Array> {
    const codec = await loadCodec(codecOf(chunk))
    try {
      return invertTransforms(this.transformsOf(chunk), codec.decode(stored, chunk.rawSize))
    } catch (cause) {
      throw new AstropackError(
        'CORRUPT_CHUNK',
        `chunk at offset ${chunk.offset}: ${(cause as Error).message}`,
        {
          cause,
          offset: chunk.offset,
        },
      )
    }
  }

  /**
   * The entry's original bytes, in order, piece by piece: a chunk, or a group of table rows rebuilt from
   * its column chunks. Memory stays bounded by MAX_COALESCED_READ plus one group. Each chunk's checksum
   * is checked; the entry's SHA-256 is the caller's to check (readVerifiedEntryChunks does), as only the
   * whole has one.
   */
  async *readEntryChunks(path: string): AsyncGenerator<Uint8Array> {
    const entry = this.entry(path)
    for (const segment of this.segmentsOf(entry) ?? [{ layout: 'bytes' as const, ...entry }]) {
      const indexes = Array.from({ length: segment.chunkCount }, (_, i) => segment.firstChunk + i)
      if (segment.layout === 'bytes') {
        for await (const { chunk, stored } of this.readStored(indexes)) yield await this.decode(chunk, stored)
        continue
      }
      let rebuilt = 0
      for await (const bytes of this.#tablePieces(segment, indexes)) {
        rebuilt += bytes.byteLength
        if (rebuilt > segment.rawLength) break
        yield bytes
      }
      if (rebuilt !== segment.rawLength) {
        throw new AstropackError(
          'CORRUPT_CHUNK',
          `a table in ${JSON.stringify(path)} rebuilt to ${rebuilt} bytes, not ${segment.rawLength}`,
        )
      }
    }
  }

  /**
   * A table segment's bytes in file order: rows rebuilt group by group from their column chunks, or, when
   * the file holds the columns one after another, each column's values group by group.
   */
  async *#tablePieces(
    segment: SegmentRecord & (RowsLayout | TextLayout),
    indexes: number[],
  ): AsyncGenerator<Uint8Array> {
    const perGroup = segment.layout === 'rows' ? segment.columns.length : segment.columnCount
    const groups = indexes.length / perGroup
    if (segment.layout === 'rows' && segment.columnMajor) {
      for (let slot = 0; slot < perGroup; slot++) yield* readGroupValues(this, segment, slot, 0, groups)
      return
    }
    for (let group = 0; group < groups; group++) {
      const parts: Uint8Array[] = []
      for await (const { chunk, stored } of this.readStored(
        indexes.slice(group * perGroup, (group + 1) * perGroup),
      ))
        parts.push(await this.decode(chunk, stored))
      yield rebuildGroup(segment, group, parts)
    }
  }

  /**
   * readEntryChunks, then the entry's SHA-256: a consumer that reads to the end gets CHECKSUM_MISMATCH
   * after the last piece when the whole is not the file that was packed. Streaming consumers (`cat`, a
   * ZIP of the files) cannot take back what they passed on, but they learn it was not the file.
   */
  async *readVerifiedEntryChunks(path: string): AsyncGenerator<Uint8Array> {
    const entry = this.entry(path)
    const hash = createSha256()
    for await (const bytes of this.readEntryChunks(path)) {
      hash.update(bytes)
      yield bytes
    }
    const actual = hash.digestHex()
    if (actual !== entry.sha256)
      throw new AstropackError(
        'CHECKSUM_MISMATCH',
        `${path}: SHA-256 ${actual} does not match ${entry.sha256}`,
      )
  }

  /**
   * The entry's original bytes in one array, checked against its SHA-256: for small entries; stream big
   * ones with readVerifiedEntryChunks.
   */
  async readEntry(path: string): Promise<Uint8Array> {
    const entry = this.entry(path)
    const out = new Uint8Array(entry.size)
    let at = 0
    for await (const part of this.readVerifiedEntryChunks(path)) {
      // The index's sizes add up to the entry's (checked when it was read): this is a second guard.
      if (at + part.byteLength > out.byteLength)
        throw new AstropackError('CORRUPT_CHUNK', `${path} rebuilt to more than its ${entry.size} bytes`)
      out.set(part, at)
      at += part.byteLength
    }
    return out
  }
}

/** The original bytes of one group of a rows or text segment, from its decoded column chunks. */
function rebuildGroup(segment: RowsLayout | TextLayout, group: number, parts: Uint8Array[]): Uint8Array {
  if (segment.layout === 'text') return joinTextGroup(parts, segment.delimiter)
  const rows = Math.min(segment.rowsPerGroup, segment.rowCount - group * segment.rowsPerGroup)
  return joinRows(parts, segment.rowWidth, segment.columns, rows)
}

export function openPackage(
  source: ByteSource,
  options: { checkHeader?: boolean } = {},
): Promise<PackageReader> {
  return PackageReader.open(source, options)
}

async function codecFor(id: number, what: string): Promise<Codec> {
  const name = CODEC_BY_ID.get(id)
  if (!name) throw new AstropackError('UNKNOWN_CODEC', `${what} uses codec id ${id}, unknown to this reader`)
  return loadCodec(name)
}

/** The codec that decodes a chunk, refusing codec ids this reader does not know. */
export function codecOf(chunk: ChunkRecord): StoredCodecName {
  const where = { offset: chunk.offset }
  const name = CODEC_BY_ID.get(chunk.codecId)
  if (!name) {
    throw new AstropackError(
      'UNKNOWN_CODEC',
      `chunk at offset ${chunk.offset} uses codec id ${chunk.codecId}`,
      where,
    )
  }
  return name
}
