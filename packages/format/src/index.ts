export { concatBytes } from './bytes.js'
export { type ColumnStorage, columnStorage } from './column-storage.js'
export {
  type ColumnValue,
  columnDecoder,
  columnValues,
  readColumnValues,
  TEXT_TABLE_SOURCES,
} from './column-values.js'
export {
  type ColumnLocation,
  type ColumnPiece,
  type ColumnRef,
  columnChunkIndexes,
  type DatasetColumnLocation,
  findColumn,
  locateColumn,
  type ReadColumnOptions,
  type RowsColumnLocation,
  type RowsSegment,
  readColumn,
  readGroupValues,
  readLocatedColumn,
} from './columns.js'
export type { ByteChunk } from './dataset-columns.js'
export { AstropackError, type ErrorCode, isAstropackError } from './errors.js'
export { numpyColumnDecoder } from './hdf5-column-values.js'
export { type HttpSourceOptions, openUrl, STALL_MS } from './http-source.js'
export type { ChunkRecord, EntryRecord } from './index-sections.js'
export {
  type ColumnMetrics,
  type Manifest,
  type ManifestColumn,
  type ManifestTable,
  manifestProblems,
  manifestSchema,
  parseManifest,
} from './manifest.js'
export { type NumpyKind, type NumpyType, parseNumpyType } from './numpy-types.js'
export { assertEntryPath, entryPathProblem } from './paths.js'
export { codecOf, MAX_COALESCED_READ, openPackage, PackageReader, type StoredChunk } from './reader.js'
export { type ColumnSlice, joinRows, splitRows } from './rows.js'
export {
  type ByteSource,
  fromBytes,
  READ_AHEAD_BYTES,
  type ReadStats,
  withReadAhead,
  withReadStats,
} from './source.js'
export {
  CODEC_IDS,
  DEFAULT_CHUNK_SIZE,
  FEATURE_COLUMN_MAJOR_ROWS,
  FEATURE_DELTA_ZIGZAG,
  FEATURE_GRID,
  FEATURE_PREDICTED_COLUMNS,
  FEATURE_PREDICTED_ROWS,
  FEATURE_RANKED_COLUMNS,
  FEATURE_SPLIT_DELTA,
  FEATURE_SWAP_BYTES,
  FEATURE_TEXT_KINDS,
  FIRST_READ_SIZE,
  HEADER_SIZE,
  LIMITS,
  type StoredCodecName,
  TRAILER_SIZE,
  VERSION_MAJOR,
  VERSION_MINOR,
} from './spec.js'
export {
  fixedLinesEnd,
  joinTextGroup,
  MAX_NUMBER_TEXT,
  NULL_FIELDS,
  predictTextColumns,
  type ShortFirst,
  splitTextGroup,
  writeFloat64Text,
} from './text-table.js'
export type { Trailer } from './trailer.js'
export {
  type RowsLayout,
  rowsChunkSizes,
  type SegmentLayoutSpec,
  type SegmentRecord,
  type TextLayout,
} from './typed-sections.js'
export {
  type EntriesDecoder,
  type EntrySink,
  type Problem,
  type VerifyOptions,
  type VerifyResult,
  verifyPackage,
} from './verify.js'
export { type ByteSink, EMPTY_SHA256, type EncodedChunk, type EntryMeta, PackageWriter } from './writer.js'
