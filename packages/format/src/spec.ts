/**
 * Constants of the .astropack v1 container. Every name here is the one used in SPEC.md, which is the
 * normative description; keep the two in step.
 */

/** `\x89APK\r\n\x1a\n`: the high byte and CR/LF/EOF catch transfers that mangle binary files. */
export const MAGIC = Uint8Array.of(0x89, 0x41, 0x50, 0x4b, 0x0d, 0x0a, 0x1a, 0x0a)
export const VERSION_MAJOR = 1
export const VERSION_MINOR = 0

export const HEADER_SIZE = 16
export const TRAILER_SIZE = 64
/** A reader's first read: the last FIRST_READ_SIZE bytes hold the trailer and, usually, the whole index. */
export const FIRST_READ_SIZE = 64 * 1024

/** Trailer field offsets, from the start of the trailer. */
export const TRAILER = {
  indexOffset: 0,
  indexStoredSize: 8,
  indexRawSize: 16,
  packageSize: 24,
  indexCrc32: 32,
  indexCodec: 36,
  versionMajor: 38,
  versionMinor: 40,
  requiredFeatures: 44,
  optionalFeatures: 48,
  trailerCrc32: 52,
  magic: 56,
} as const

export const INDEX_HEADER_SIZE = 8
export const SECTION_HEADER_SIZE = 16
export const SectionType = { manifest: 1, entries: 2, chunks: 3, transforms: 4, segments: 5 } as const

export const ENTRY_FIXED_SIZE = 72
export const SEGMENT_FIXED_SIZE = 56
/** Segment layout bytes (SPEC §7.1); 3 is a rows segment stored column after column in the file. */
export const SegmentLayout = { bytes: 0, rows: 1, text: 2, columnMajorRows: 3 } as const
export const CHUNK_RECORD_SIZE = 24
export const EntryKind = { file: 0, directory: 1 } as const

/** Codec ids as stored in chunk records and the trailer. */
export const CODEC_IDS = { none: 0, zstd: 1, lz4: 2, gzip: 3 } as const
export type StoredCodecName = keyof typeof CODEC_IDS
export const CODEC_BY_ID: ReadonlyMap<number, StoredCodecName> = new Map(
  Object.entries(CODEC_IDS).map(([name, id]) => [id, name as StoredCodecName]),
)

/**
 * Feature bits. A reader refuses a package with a required bit it does not know, naming it; unknown
 * optional bits are ignored. v1 defines none yet; the names below are reserved for planned features.
 */
export const FEATURE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'typed-segments'],
  [1, 'shared-chunks'],
  [2, 'table-view'],
  [3, 'healpix-index'],
  [4, 'text-kinds'],
  [5, 'grid'],
  [6, 'predicted-columns'],
  [7, 'delta-zigzag'],
  [8, 'predicted-rows'],
  [9, 'ranked-columns'],
  [10, 'column-major-rows'],
  [11, 'swap-bytes'],
  [12, 'split-delta'],
])
/** Bit 0: chunks with transform chains, and entries rebuilt from typed segments (SPEC §7.1). */
export const FEATURE_TYPED_SEGMENTS = 1 << 0
/** Bit 4: text table columns of kinds 5 to 7 (integer, dictionary, grid), in a number style, padded or affixed (SPEC §7.2). */
export const FEATURE_TEXT_KINDS = 1 << 4
/** Bit 5: grid transform steps 8 and 9 (SPEC §7.1). */
export const FEATURE_GRID = 1 << 5
/** Bit 6: text table columns of kind 8, predicted from other columns of their line (SPEC §7.2). */
export const FEATURE_PREDICTED_COLUMNS = 1 << 6
/** Bit 7: delta-zigzag transform steps 10 and 11 (SPEC §7.1). */
export const FEATURE_DELTA_ZIGZAG = 1 << 7
/** Bit 8: rows-segment columns predicted from other columns of their row (SPEC §7.1). */
export const FEATURE_PREDICTED_ROWS = 1 << 8
/** Bit 9: table columns of codes stored as ranks in contexts of another column (SPEC §7.1, §7.2 kind 9). */
export const FEATURE_RANKED_COLUMNS = 1 << 9
/** Bit 10: rows segments whose columns lie one after another in the file (SPEC §7.1, layout 3). */
export const FEATURE_COLUMN_MAJOR_ROWS = 1 << 10
/** Bit 11: swap-bytes transform steps (SPEC §7.1, op 12). */
export const FEATURE_SWAP_BYTES = 1 << 11
/** Bit 12: split-delta transform steps (SPEC §7.1, ops 13 and 14). */
export const FEATURE_SPLIT_DELTA = 1 << 12
export const KNOWN_REQUIRED_FEATURES =
  FEATURE_TYPED_SEGMENTS |
  FEATURE_TEXT_KINDS |
  FEATURE_GRID |
  FEATURE_PREDICTED_COLUMNS |
  FEATURE_DELTA_ZIGZAG |
  FEATURE_PREDICTED_ROWS |
  FEATURE_RANKED_COLUMNS |
  FEATURE_COLUMN_MAJOR_ROWS |
  FEATURE_SWAP_BYTES |
  FEATURE_SPLIT_DELTA

/** Limits a reader enforces before it trusts or allocates anything a package declares. */
export const LIMITS = {
  maxChunkRawSize: 64 * 1024 * 1024,
  maxIndexRawSize: 1024 * 1024 * 1024,
  /** A table group rebuilt from its column chunks (SPEC §7.1, §7.2). */
  maxGroupBytes: 256 * 1024 * 1024,
  maxPathBytes: 4096,
} as const

export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024
