import { crc32, loadCodec } from '@astropack/codecs'
import { concatBytes, setU64, viewOf } from '../src/bytes.js'
import { type EntryRecord, encodeIndex } from '../src/index-sections.js'
import { CODEC_IDS, HEADER_SIZE, TRAILER_SIZE, VERSION_MAJOR } from '../src/spec.js'
import { encodeHeader, encodeTrailer } from '../src/trailer.js'
import { testManifest } from './helpers.js'

/** Builds a package by hand, bypassing the writer's checks, as a hostile or buggy writer could. */
export async function craftPackage(options: {
  entries?: Partial<EntryRecord>[]
  requiredFeatures?: number
  extraSection?: { type: number; payload: Uint8Array }
}): Promise<Uint8Array> {
  const data = new TextEncoder().encode('hello')
  const entries = (options.entries ?? [{}]).map((entry, i) => ({
    kind: 'file' as const,
    path: `file${i}.txt`,
    mode: 0o644,
    size: 5,
    mtimeMs: 0,
    firstChunk: 0,
    chunkCount: 1,
    sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    ...entry,
  }))
  let raw = encodeIndex({
    manifestJson: JSON.stringify(testManifest()),
    entries,
    chunks: [
      { offset: HEADER_SIZE, storedSize: 5, rawSize: 5, crc32: crc32(data), codecId: 0, transformId: 0 },
    ],
  })
  if (options.extraSection) {
    const header = new Uint8Array(16)
    viewOf(header).setUint16(0, options.extraSection.type, true)
    setU64(viewOf(header), 8, options.extraSection.payload.byteLength)
    raw = concatBytes([raw, header, options.extraSection.payload])
    viewOf(raw).setUint32(0, 4, true)
  }
  const stored = (await loadCodec('zstd')).encode(raw)
  const indexOffset = HEADER_SIZE + data.byteLength
  const trailer = encodeTrailer({
    indexOffset,
    indexStoredSize: stored.byteLength,
    indexRawSize: raw.byteLength,
    packageSize: indexOffset + stored.byteLength + TRAILER_SIZE,
    indexCrc32: crc32(stored),
    indexCodec: CODEC_IDS.zstd,
    versionMajor: VERSION_MAJOR,
    versionMinor: 0,
    requiredFeatures: options.requiredFeatures ?? 0,
    optionalFeatures: 0,
  })
  return concatBytes([encodeHeader(), data, stored, trailer])
}
