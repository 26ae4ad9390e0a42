import { AstropackError } from '../errors.js'
import { FEATURE_GRID, FEATURE_TEXT_KINDS } from '../spec.js'

/** Column chunk kinds of a text table (SPEC §7.2). */
export const TextColumnKind = {
  raw: 0,
  text: 1,
  float64: 2,
  decimal: 3,
  fixed: 4,
  integer: 5,
  dictionary: 6,
  grid: 7,
} as const

/** Every column chunk starts with `u8 kind, u8 scale, u8 flags, u8 style, u32 count`. */
/**
 * Fields of a text table that catalogs write for "no value": readers of a package's text tables (column
 * values, quality metrics) count them as nulls.
 */
export const NULL_FIELDS: ReadonlySet<string> = new Set(['', 'null', 'NULL', 'None', 'NA', 'N/A', '--'])

/** Column c's fields in a group: field k (row-major) spans starts[k] .. starts[k + 1] - 1 - trim. */
export interface ColumnFields {
  group: Uint8Array
  starts: Uint32Array
  c: number
  columnCount: number
  trim: number
}

export const HEADER = 8
export const NEWLINE = 10
export const CR = 13

/** Chunk flags (byte 2): the group's lines end with CR LF, not LF alone (set on each of its chunks). */
export const TextChunkFlag = { crlf: 1 } as const

/** A fresh column chunk of `size` bytes with its header written. */
export function newChunk(
  kind: number,
  scale: number,
  count: number,
  size: number,
  flags = 0,
  style = 0,
): Uint8Array {
  const bytes = new Uint8Array(size)
  bytes[0] = kind
  bytes[1] = scale
  bytes[2] = flags
  bytes[3] = style
  new DataView(bytes.buffer).setUint32(4, count, true)
  return bytes
}

/** The required feature bits (SPEC §4) a column chunk needs of readers: kinds 5 and 6 and Python's style 4, the grid 5. */
export function textChunkFeatures(column: Uint8Array): number {
  const kind = column[0]!
  if (kind === TextColumnKind.grid) return FEATURE_GRID
  return kind === TextColumnKind.integer || kind === TextColumnKind.dictionary || column[3] !== 0
    ? FEATURE_TEXT_KINDS
    : 0
}

export function corrupt(message: string): AstropackError {
  return new AstropackError('CORRUPT_CHUNK', `text table: ${message}`)
}
