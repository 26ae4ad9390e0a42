import { crc32, loadCodec, type TransformStep } from '@astropack/codecs'
import { AstropackError } from './errors.js'
import { type ChunkRecord, type EntryRecord, encodeIndex } from './index-sections.js'
import { type Manifest, manifestProblems } from './manifest.js'
import { assertEntryPath } from './paths.js'
import {
  CODEC_IDS,
  FEATURE_COLUMN_MAJOR_ROWS,
  FEATURE_DELTA_ZIGZAG,
  FEATURE_GRID,
  FEATURE_SPLIT_DELTA,
  FEATURE_SWAP_BYTES,
  FEATURE_TYPED_SEGMENTS,
  HEADER_SIZE,
  LIMITS,
  type StoredCodecName,
  TRAILER_SIZE,
  VERSION_MAJOR,
  VERSION_MINOR,
} from './spec.js'
import { encodeHeader, encodeTrailer } from './trailer.js'
import type { SegmentLayoutSpec, SegmentRecord } from './typed-sections.js'

/**
 * Where a writer's bytes go, in order. A sink never seeks: the format is written in one pass. Once a
 * write's promise settles the writer may reuse its bytes (new memory is slow to fill): a sink that keeps
 * them keeps a copy.
 */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>
}

export interface EntryMeta {
  path: string
  mode: number
  mtimeMs: number
}

/** A chunk already encoded by a codec; `crc32` is of `stored` and may be computed by the caller's worker. */
export interface EncodedChunk {
  stored: Uint8Array
  rawSize: number
  codec: StoredCodecName
  crc32?: number
  /** The transform chain applied before the codec (SPEC §7.1). */
  transforms?: readonly TransformStep[]
}

interface OpenFile extends EntryMeta {
  firstChunk: number
  size: number
  segments: SegmentRecord[]
}

/**
 * Streams a package: header, then each entry's chunks as they come, then index and trailer.
 * Usage: `addDirectory` / `beginFile` + `writeChunk`* (or `repeatChunk`) + `endFile(sha256)` / `repeatFile`,
 * then `finish(manifest)`.
 */
export class PackageWriter {
  readonly #sink: ByteSink
  #offset = 0
  readonly #entries: EntryRecord[] = []
  readonly #chunks: ChunkRecord[] = []
  readonly #paths = new Set<string>()
  #open: OpenFile | undefined
  readonly #segments: SegmentRecord[] = []
  readonly #chains: TransformStep[][] = []
  /** Required feature bits the caller reported (see requireFeatures), beside typed segments. */
  #features = 0
  readonly #chainIds = new Map<string, number>()
  #finished = false
  #gathered: Uint8Array | undefined
  #gatheredLength = 0

  constructor(sink: ByteSink) {
    this.#sink = sink
  }

  get bytesWritten(): number {
    return this.#offset
  }

  async #ensureHeader(): Promise<void> {
    if (this.#offset > 0) return
    await this.#sink.write(encodeHeader())
    this.#offset = HEADER_SIZE
  }

  /**
   * Small pieces are gathered and written together: a folder of small files makes a chunk each, and a
   * write each cost a round trip to the file system (3,584 of them for 52 MiB of Debian files).
   */
  async #write(bytes: Uint8Array): Promise<void> {
    await this.#ensureHeader()
    this.#offset += bytes.byteLength
    this.#gathered ??= new Uint8Array(GATHER_BYTES)
    const gathered = this.#gathered
    if (this.#gatheredLength + bytes.byteLength > gathered.byteLength) await this.#flush()
    if (bytes.byteLength >= gathered.byteLength) {
      await this.#sink.write(bytes)
      return
    }
    gathered.set(bytes, this.#gatheredLength)
    this.#gatheredLength += bytes.byteLength
  }

  async #flush(): Promise<void> {
    if (this.#gatheredLength === 0) return
    const length = this.#gatheredLength
    this.#gatheredLength = 0
    await this.#sink.write(this.#gathered!.subarray(0, length))
  }

  #claim(path: string): void {
    if (this.#finished) throw new AstropackError('USAGE', 'package already finished')
    if (this.#open) throw new AstropackError('USAGE', `entry ${this.#open.path} is still open`)
    assertEntryPath(path)
    if (this.#paths.has(path)) throw new AstropackError('USAGE', `entry ${JSON.stringify(path)} added twice`)
    this.#paths.add(path)
  }

  addDirectory(meta: EntryMeta): void {
    this.#claim(meta.path)
    this.#entries.push({
      ...meta,
      kind: 'directory',
      size: 0,
      firstChunk: 0,
      chunkCount: 0,
      sha256: EMPTY_SHA256,
    })
  }

  beginFile(meta: EntryMeta): void {
    this.#claim(meta.path)
    this.#open = { ...meta, firstChunk: this.#chunks.length, size: 0, segments: [] }
  }

  /**
   * Appends a chunk to the open file. `fileBytes` is how many bytes of the original file it stands for:
   * its raw size, except in text tables, whose column chunks hold derived values (the first chunk of a
   * group then stands for the group's text, the others for none).
   */
  async writeChunk(chunk: EncodedChunk, fileBytes = chunk.rawSize): Promise<number> {
    if (!this.#open) throw new AstropackError('USAGE', 'writeChunk outside a file')
    if (chunk.rawSize > LIMITS.maxChunkRawSize) {
      throw new AstropackError(
        'LIMIT_EXCEEDED',
        `chunk of ${chunk.rawSize} bytes exceeds ${LIMITS.maxChunkRawSize}`,
      )
    }
    await this.#ensureHeader()
    const offset = this.#offset
    await this.#write(chunk.stored)
    this.#chunks.push({
      offset,
      storedSize: chunk.stored.byteLength,
      rawSize: chunk.rawSize,
      crc32: chunk.crc32 ?? crc32(chunk.stored),
      codecId: CODEC_IDS[chunk.codec],
      transformId: this.#chainId(chunk.transforms ?? []),
    })
    this.#open.size += fileBytes
    return this.#chunks.length - 1
  }

  /**
   * Appends to the open file a chunk whose stored bytes are those of the earlier chunk `index`, of this
   * file or another (a table column equal to another column of its group, a chunk encoded the same in an
   * earlier file): a second record of the same bytes, which are written once (SPEC §5.2).
   */
  repeatChunk(index: number, fileBytes: number): number {
    const open = this.#open
    if (!open) throw new AstropackError('USAGE', 'repeatChunk outside a file')
    const chunk = this.#chunks[index]
    if (!chunk) throw new AstropackError('USAGE', `no chunk ${index} to repeat`)
    this.#chunks.push({ ...chunk })
    open.size += fileBytes
    return this.#chunks.length - 1
  }

  /**
   * Adds a file whose bytes are those of the earlier file `original` (same SHA-256, which the caller has
   * checked): records of the original's chunks and segments, its stored bytes written once (SPEC §5.2).
   */
  repeatFile(meta: EntryMeta, original: string): void {
    const index = this.#entries.findIndex((entry) => entry.kind === 'file' && entry.path === original)
    const source = this.#entries[index]
    if (!source) throw new AstropackError('USAGE', `no file ${JSON.stringify(original)} to repeat`)
    this.#claim(meta.path)
    const firstChunk = this.#chunks.length
    for (let i = 0; i < source.chunkCount; i++) this.#chunks.push({ ...this.#chunks[source.firstChunk + i]! })
    const shift = firstChunk - source.firstChunk
    for (const segment of this.#segments.filter((s) => s.entryIndex === index))
      this.#segments.push({
        ...segment,
        entryIndex: this.#entries.length,
        firstChunk: segment.firstChunk + shift,
      })
    this.#entries.push({ ...source, path: meta.path, mode: meta.mode, mtimeMs: meta.mtimeMs, firstChunk })
  }

  #chainId(chain: readonly TransformStep[]): number {
    if (chain.length === 0) return 0
    const key = JSON.stringify(chain)
    let id = this.#chainIds.get(key)
    if (id === undefined) {
      this.#chains.push([...chain])
      id = this.#chains.length
      // Grid, delta-zigzag, swap-bytes and split-delta steps came after the first readers of §7.1 (SPEC §7,
      // bits 5, 7, 11, 12).
      if (chain.some((step) => step.op.startsWith('grid'))) this.#features |= FEATURE_GRID
      if (chain.some((step) => step.op.startsWith('delta-zigzag'))) this.#features |= FEATURE_DELTA_ZIGZAG
      if (chain.some((step) => step.op === 'swap-bytes')) this.#features |= FEATURE_SWAP_BYTES
      if (chain.some((step) => step.op.startsWith('split-delta'))) this.#features |= FEATURE_SPLIT_DELTA
      this.#chainIds.set(key, id)
    }
    return id
  }

  /**
   * Starts a segment of the open file: the chunks written next hold its bytes in the given layout
   * (SPEC §7.1). A file that never calls this is a plain sequence of chunks.
   */
  beginSegment(layout: SegmentLayoutSpec): void {
    const open = this.#open
    if (!open) throw new AstropackError('USAGE', 'beginSegment outside a file')
    this.#closeSegment(open)
    if (layout.layout === 'rows' && layout.columnMajor) this.#features |= FEATURE_COLUMN_MAJOR_ROWS
    open.segments.push({
      ...layout,
      entryIndex: -1,
      rawOffset: open.size,
      rawLength: 0,
      firstChunk: this.#chunks.length,
      chunkCount: 0,
    })
  }

  #closeSegment(open: OpenFile): void {
    const last = open.segments.at(-1)
    if (!last) return
    last.rawLength = open.size - last.rawOffset
    last.chunkCount = this.#chunks.length - last.firstChunk
  }

  endFile(sha256Hex: string): void {
    const open = this.#open
    if (!open) throw new AstropackError('USAGE', 'endFile without beginFile')
    this.#closeSegment(open)
    if (open.segments.length > 0 && open.segments[0]!.rawOffset > 0) {
      // Bytes written before the first segment form a leading bytes segment.
      open.segments.unshift({
        layout: 'bytes',
        entryIndex: -1,
        rawOffset: 0,
        rawLength: open.segments[0]!.rawOffset,
        firstChunk: open.firstChunk,
        chunkCount: open.segments[0]!.firstChunk - open.firstChunk,
      })
    }
    for (const segment of open.segments) this.#segments.push({ ...segment, entryIndex: this.#entries.length })
    if (!/^[0-9a-f]{64}$/.test(sha256Hex))
      throw new AstropackError('USAGE', 'sha256 must be 64 lowercase hex digits')
    this.#entries.push({
      kind: 'file',
      path: open.path,
      mode: open.mode,
      mtimeMs: open.mtimeMs,
      size: open.size,
      firstChunk: open.firstChunk,
      chunkCount: this.#chunks.length - open.firstChunk,
      sha256: sha256Hex,
    })
    this.#open = undefined
  }

  /**
   * Sets required feature bits that only the chunks' contents show, such as text columns of the kinds of
   * feature 4 (FEATURE_TEXT_KINDS): a reader without the feature refuses the package by name.
   */
  requireFeatures(bits: number): void {
    this.#features |= bits
  }

  /** Writes index and trailer; the package is complete when this resolves. Returns its size. */
  async finish(manifest: Manifest): Promise<number> {
    if (this.#open) throw new AstropackError('USAGE', `entry ${this.#open.path} is still open`)
    // Checked as readers will see it: JSON turns Infinity and NaN into null.
    const manifestJson = JSON.stringify(manifest)
    const problems = manifestProblems(JSON.parse(manifestJson))
    if (problems.length > 0) throw new AstropackError('BAD_MANIFEST', problems.join('; '))
    this.#finished = true
    await this.#ensureHeader()
    const raw = encodeIndex({
      manifestJson,
      entries: this.#entries,
      chunks: this.#chunks,
      transforms: this.#chains,
      segments: this.#segments,
    })
    const zstd = await loadCodec('zstd')
    const stored = zstd.encode(raw, 9)
    const indexOffset = this.#offset
    await this.#write(stored)
    const packageSize = this.#offset + TRAILER_SIZE
    await this.#write(
      encodeTrailer({
        indexOffset,
        indexStoredSize: stored.byteLength,
        indexRawSize: raw.byteLength,
        packageSize,
        indexCrc32: crc32(stored),
        indexCodec: CODEC_IDS.zstd,
        versionMajor: VERSION_MAJOR,
        versionMinor: VERSION_MINOR,
        requiredFeatures:
          (this.#chains.length > 0 || this.#segments.length > 0 ? FEATURE_TYPED_SEGMENTS : 0) |
          this.#features,
        optionalFeatures: 0,
      }),
    )
    await this.#flush()
    return packageSize
  }
}

/** Pieces smaller than this are written together (see PackageWriter's #write). */
const GATHER_BYTES = 1024 * 1024

/** SHA-256 of no bytes: what a directory entry records. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
