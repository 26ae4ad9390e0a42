import type { TransformStep } from '@astropack/codecs'
import { concatBytes, fromHex, getU64, setU64, toHex, viewOf } from './bytes.js'
import { AstropackError } from './errors.js'
import { entryPathProblem } from './paths.js'
import {
  CHUNK_RECORD_SIZE,
  CODEC_IDS,
  ENTRY_FIXED_SIZE,
  EntryKind,
  HEADER_SIZE,
  INDEX_HEADER_SIZE,
  LIMITS,
  SECTION_HEADER_SIZE,
  SectionType,
} from './spec.js'
import {
  checkSegments,
  decodeSegments,
  decodeTransforms,
  encodeSegments,
  encodeTransforms,
  type SegmentRecord,
} from './typed-sections.js'

/** One stored chunk: `storedSize` bytes at `offset`, decoding with `codecId` to `rawSize` bytes. */
export interface ChunkRecord {
  offset: number
  storedSize: number
  rawSize: number
  crc32: number
  codecId: number
  transformId: number
}

export interface EntryRecord {
  kind: 'file' | 'directory'
  path: string
  mode: number
  size: number
  mtimeMs: number
  firstChunk: number
  chunkCount: number
  /** SHA-256 of the original bytes, lowercase hex. */
  sha256: string
}

export interface IndexContent {
  manifestJson: string
  entries: EntryRecord[]
  chunks: ChunkRecord[]
  /** Transform chains; a chunk's transformId n > 0 is chain n - 1. */
  transforms?: TransformStep[][]
  segments?: SegmentRecord[]
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

function section(type: number, payload: Uint8Array): Uint8Array[] {
  const header = new Uint8Array(SECTION_HEADER_SIZE)
  const view = viewOf(header)
  view.setUint16(0, type, true)
  setU64(view, 8, payload.byteLength)
  return [header, payload]
}

export function encodeIndex(content: IndexContent): Uint8Array {
  const chunks = new Uint8Array(8 + content.chunks.length * CHUNK_RECORD_SIZE)
  const chunkView = viewOf(chunks)
  setU64(chunkView, 0, content.chunks.length)
  content.chunks.forEach((chunk, i) => {
    const at = 8 + i * CHUNK_RECORD_SIZE
    setU64(chunkView, at, chunk.offset)
    chunkView.setUint32(at + 8, chunk.storedSize, true)
    chunkView.setUint32(at + 12, chunk.rawSize, true)
    chunkView.setUint32(at + 16, chunk.crc32, true)
    chunkView.setUint16(at + 20, chunk.codecId, true)
    chunkView.setUint16(at + 22, chunk.transformId, true)
  })
  const entryParts: Uint8Array[] = [new Uint8Array(8)]
  setU64(viewOf(entryParts[0]!), 0, content.entries.length)
  for (const entry of content.entries) {
    const path = encoder.encode(entry.path)
    const record = new Uint8Array(ENTRY_FIXED_SIZE + path.byteLength)
    const view = viewOf(record)
    record[0] = EntryKind[entry.kind]
    view.setUint16(2, path.byteLength, true)
    view.setUint32(4, entry.mode, true)
    setU64(view, 8, entry.size)
    view.setBigInt64(16, BigInt(Math.round(entry.mtimeMs)), true)
    setU64(view, 24, entry.firstChunk)
    setU64(view, 32, entry.chunkCount)
    record.set(fromHex(entry.sha256), 40)
    record.set(path, ENTRY_FIXED_SIZE)
    entryParts.push(record)
  }
  const sections = [
    ...section(SectionType.manifest, encoder.encode(content.manifestJson)),
    ...section(SectionType.entries, concatBytes(entryParts)),
    ...section(SectionType.chunks, chunks),
  ]
  if (content.transforms?.length)
    sections.push(...section(SectionType.transforms, encodeTransforms(content.transforms)))
  if (content.segments?.length)
    sections.push(...section(SectionType.segments, encodeSegments(content.segments)))
  const header = new Uint8Array(INDEX_HEADER_SIZE)
  viewOf(header).setUint32(0, sections.length / 2, true)
  return concatBytes([header, ...sections])
}

function corrupt(message: string): AstropackError {
  return new AstropackError('CORRUPT_INDEX', `index: ${message}`)
}

/** Parses the raw index and checks it against `dataEnd`, the offset where chunk data must end. */
export function decodeIndex(raw: Uint8Array, dataEnd: number): IndexContent {
  const view = viewOf(raw)
  if (raw.byteLength < INDEX_HEADER_SIZE) throw corrupt('shorter than its header')
  const sectionCount = view.getUint32(0, true)
  const found = new Map<number, Uint8Array>()
  let at = INDEX_HEADER_SIZE
  for (let i = 0; i < sectionCount; i++) {
    if (at + SECTION_HEADER_SIZE > raw.byteLength) throw corrupt(`section ${i} header past the end`)
    const type = view.getUint16(at, true)
    const length = getU64(view, at + 8)
    at += SECTION_HEADER_SIZE
    if (length > raw.byteLength - at) throw corrupt(`section ${i} (type ${type}) overruns the index`)
    // Unknown section types are skipped: they belong to optional features of later minor versions.
    if (!found.has(type)) found.set(type, raw.subarray(at, at + length))
    at += length
  }
  const manifestBytes = found.get(SectionType.manifest)
  const entryBytes = found.get(SectionType.entries)
  const chunkBytes = found.get(SectionType.chunks)
  if (!entryBytes || !chunkBytes) throw corrupt('missing the entries or chunks section')
  let manifestJson = '{}'
  if (manifestBytes) {
    try {
      manifestJson = decoder.decode(manifestBytes)
    } catch {
      throw corrupt('manifest is not UTF-8')
    }
  }
  const chunks = decodeChunks(chunkBytes, dataEnd)
  const entries = decodeEntries(entryBytes, chunks)
  const transformBytes = found.get(SectionType.transforms)
  const transforms = transformBytes ? decodeTransforms(transformBytes) : []
  const badChain = chunks.findIndex((chunk) => chunk.transformId > transforms.length)
  if (badChain !== -1) throw corrupt(`chunk ${badChain} refers to a missing transform chain`)
  const segmentBytes = found.get(SectionType.segments)
  const segments = segmentBytes ? decodeSegments(segmentBytes) : []
  const segmented = checkSegments(segments, entries, chunks)
  checkPlainSizes(entries, chunks, new Set(segmented.keys()))
  return { manifestJson, entries, chunks, transforms, segments }
}

function decodeChunks(bytes: Uint8Array, dataEnd: number): ChunkRecord[] {
  const view = viewOf(bytes)
  if (bytes.byteLength < 8) throw corrupt('chunks section too short')
  const count = getU64(view, 0)
  if (count * CHUNK_RECORD_SIZE !== bytes.byteLength - 8)
    throw corrupt(`chunk count ${count} does not fit its section`)
  const chunks: ChunkRecord[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const at = 8 + i * CHUNK_RECORD_SIZE
    const chunk: ChunkRecord = {
      offset: getU64(view, at),
      storedSize: view.getUint32(at + 8, true),
      rawSize: view.getUint32(at + 12, true),
      crc32: view.getUint32(at + 16, true),
      codecId: view.getUint16(at + 20, true),
      transformId: view.getUint16(at + 22, true),
    }
    if (chunk.offset < HEADER_SIZE || chunk.offset + chunk.storedSize > dataEnd) {
      throw corrupt(`chunk ${i} at [${chunk.offset}, +${chunk.storedSize}) lies outside the data region`)
    }
    if (chunk.codecId === CODEC_IDS.none && chunk.storedSize !== chunk.rawSize) {
      throw corrupt(`chunk ${i} is stored uncompressed but its sizes differ`)
    }
    if (chunk.rawSize > LIMITS.maxChunkRawSize) {
      throw new AstropackError(
        'LIMIT_EXCEEDED',
        `chunk ${i} declares ${chunk.rawSize} raw bytes (limit ${LIMITS.maxChunkRawSize})`,
      )
    }
    chunks[i] = chunk
  }
  return chunks
}

function decodeEntries(bytes: Uint8Array, chunks: ChunkRecord[]): EntryRecord[] {
  const view = viewOf(bytes)
  if (bytes.byteLength < 8) throw corrupt('entries section too short')
  const count = getU64(view, 0)
  if (count * ENTRY_FIXED_SIZE > bytes.byteLength - 8)
    throw corrupt(`entry count ${count} does not fit its section`)
  const entries: EntryRecord[] = []
  const seen = new Set<string>()
  let at = 8
  for (let i = 0; i < count; i++) {
    if (at + ENTRY_FIXED_SIZE > bytes.byteLength) throw corrupt(`entry ${i} past the end of its section`)
    const kindByte = bytes[at]!
    const pathLength = view.getUint16(at + 2, true)
    if (at + ENTRY_FIXED_SIZE + pathLength > bytes.byteLength) throw corrupt(`entry ${i} name past the end`)
    let path: string
    try {
      path = decoder.decode(bytes.subarray(at + ENTRY_FIXED_SIZE, at + ENTRY_FIXED_SIZE + pathLength))
    } catch {
      throw corrupt(`entry ${i} name is not UTF-8`)
    }
    const problem = entryPathProblem(path)
    if (problem) {
      throw new AstropackError(
        'UNSAFE_PATH',
        `entry ${i} has an unsafe name ${JSON.stringify(path)}: ${problem}`,
      )
    }
    if (seen.has(path)) throw corrupt(`entry name ${JSON.stringify(path)} appears twice`)
    seen.add(path)
    if (kindByte !== EntryKind.file && kindByte !== EntryKind.directory) {
      throw corrupt(`entry ${JSON.stringify(path)} has unknown kind ${kindByte}`)
    }
    const entry: EntryRecord = {
      kind: kindByte === EntryKind.file ? 'file' : 'directory',
      path,
      mode: view.getUint32(at + 4, true),
      size: getU64(view, at + 8),
      mtimeMs: Number(view.getBigInt64(at + 16, true)),
      firstChunk: getU64(view, at + 24),
      chunkCount: getU64(view, at + 32),
      sha256: toHex(bytes.subarray(at + 40, at + 72)),
    }
    checkEntryChunks(entry, chunks)
    entries.push(entry)
    at += ENTRY_FIXED_SIZE + pathLength
  }
  checkNoFileAsFolder(entries)
  return entries
}

/** A file `a` and an entry `a/b` cannot both be unpacked. */
function checkNoFileAsFolder(entries: EntryRecord[]): void {
  const files = new Set(entries.filter((entry) => entry.kind === 'file').map((entry) => entry.path))
  for (const { path } of entries) {
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
      if (files.has(path.slice(0, slash)))
        throw corrupt(`${JSON.stringify(path)} lies inside the file ${path.slice(0, slash)}`)
    }
  }
}

function checkEntryChunks(entry: EntryRecord, chunks: ChunkRecord[]): void {
  const name = JSON.stringify(entry.path)
  if (entry.firstChunk + entry.chunkCount > chunks.length)
    throw corrupt(`entry ${name} refers to missing chunks`)
  if (entry.kind === 'directory' && (entry.size !== 0 || entry.chunkCount !== 0)) {
    throw corrupt(`directory ${name} has contents`)
  }
}

/** A plain entry is its chunks in order: their sizes must add up to its own (segments are checked apart). */
function checkPlainSizes(entries: EntryRecord[], chunks: ChunkRecord[], segmented: Set<number>): void {
  entries.forEach((entry, index) => {
    if (segmented.has(index)) return
    let total = 0
    for (let i = entry.firstChunk; i < entry.firstChunk + entry.chunkCount; i++) total += chunks[i]!.rawSize
    if (total !== entry.size) {
      throw corrupt(`entry ${JSON.stringify(entry.path)} is ${entry.size} bytes but its chunks hold ${total}`)
    }
  })
}
