import { AstropackError } from '../errors.js'
import { FEATURE_PREDICTED_COLUMNS, FEATURE_RANKED_COLUMNS, FEATURE_TEXT_KINDS } from '../spec.js'

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
  predicted: 8,
  ranked: 9,
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

/** A column's pad width: the length of its fields when they all have one and some start with a space; else 0. */
export function padWidth(fields: ColumnFields, stride: number): number {
  const { group, starts, c, trim } = fields
  let width = -1
  let spaced = false
  for (let k = c; k < starts.length - 1; k += stride) {
    const a = starts[k]!
    const length = starts[k + 1]! - 1 - trim - a
    if (width === -1) width = length
    else if (length !== width) return 0
    spaced ||= group[a] === SPACE
  }
  return spaced && width > 1 && width <= 0xffff ? width : 0
}

const NUMBER_START = new Set([43, 45, 46, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57]) // + - . 0-9
const NUMBER_END = new Set([46, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57]) // . 0-9

/** Bytes that stand around numbers without being part of what they say: spaces and quotes. */
const AFFIX_BYTES = new Set([32, 34, 39])

/**
 * The spaces and quotes before and after the number in field [a, b) (`"` and `"` in `"1.5"`, a space in
 * ` 1.5`), each at most 8 bytes; undefined for a field without them or with other text around its number
 * (`HIP 12` is the integer kind's, with its prefix).
 */
export function numberAffixes(group: Uint8Array, a: number, b: number): Affixes | undefined {
  let start = a
  while (start < b && !NUMBER_START.has(group[start]!)) start++
  let end = b
  while (end > start && !NUMBER_END.has(group[end - 1]!)) end--
  if (end === start || (start === a && end === b) || start - a > 8 || b - end > 8) return undefined
  for (let i = a; i < start; i++) if (!AFFIX_BYTES.has(group[i]!)) return undefined
  for (let i = end; i < b; i++) if (!AFFIX_BYTES.has(group[i]!)) return undefined
  return { prefix: group.slice(a, start), suffix: group.slice(end, b) }
}

/** The text a column's values have around them: prefix and suffix (quotes, a space after the comma). */
export interface Affixes {
  prefix: Uint8Array
  suffix: Uint8Array
}

/**
 * Where field [a, b)'s value starts without the text a column's values have around it: after the spaces
 * of a field padded to `pad` bytes (which must end with `around`'s suffix, if any), or after `around`'s
 * prefix when the field has it and the suffix; b for a field that lacks them (an exception: its value is
 * empty here).
 */
export function valueStart(group: Uint8Array, a: number, b: number, pad: number, around?: Affixes): number {
  if (pad) {
    if (b - a !== pad) return b
    while (a < b && group[a] === SPACE) a++
    // Padded values may have text after them too (spaces before a bar), which every one must have.
    const s = around?.suffix.byteLength ?? 0
    for (let i = 0; i < s; i++) if (group[b - s + i] !== around!.suffix[i]) return b
    return b - a < s ? b : a
  }
  if (!around) return a
  const p = around.prefix.byteLength
  const s = around.suffix.byteLength
  if (b - a < p + s) return b
  for (let i = 0; i < p; i++) if (group[a + i] !== around.prefix[i]) return b
  for (let i = 0; i < s; i++) if (group[b - s + i] !== around.suffix[i]) return b
  return a + p
}

/** Where the value that starts at `start` (valueStart) in field [.., b) ends: before `around`'s suffix. */
export function valueEnd(start: number, b: number, around?: Affixes): number {
  return around && start < b ? b - around.suffix.byteLength : b
}

export const HEADER = 8
export const NEWLINE = 10
export const CR = 13

/**
 * Chunk flags (byte 2). crlf: the group's lines end with CR LF, not LF alone (set on each of its chunks).
 * padded: the column's values are right-aligned with spaces to the width in the chunk's last 2 bytes.
 * affixed: the column's values have the text before and after them that the chunk's tail holds (quotes of
 * a CSV that quotes every field, the space after a comma).
 */
export const TextChunkFlag = { crlf: 1, padded: 2, affixed: 4 } as const

/** Pads a field written at [start, end) with spaces before it to `width` bytes; returns its new end. */
export function padLeft(out: Uint8Array, start: number, end: number, width: number): number {
  const spaces = width - (end - start)
  if (spaces <= 0) return end
  out.copyWithin(start + spaces, start, end)
  out.fill(SPACE, start, start + spaces)
  return start + width
}

export const SPACE = 32

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

/**
 * The required feature bits (SPEC §7) a column chunk needs of readers: bit 4 for what came after the first
 * readers of SPEC §7.2 (kinds 5 to 7, a number style, padding, affixes), bit 6 for kind 8, bit 9 for kind 9.
 */
export function textChunkFeatures(column: Uint8Array): number {
  if (column[0] === TextColumnKind.ranked) {
    // What the chunk it stands for needs (its kind is in the record's tag), and bit 9.
    const standsFor = Uint8Array.of(column[HEADER + 1]!, column[1]!, column[2]!, column[3]!)
    return textChunkFeatures(standsFor) | FEATURE_RANKED_COLUMNS
  }
  const kind = column[0]!
  const later =
    (kind >= TextColumnKind.integer && kind <= TextColumnKind.grid) ||
    column[3] !== 0 ||
    (column[2]! & (TextChunkFlag.padded | TextChunkFlag.affixed)) !== 0
  return (
    (later ? FEATURE_TEXT_KINDS : 0) | (kind === TextColumnKind.predicted ? FEATURE_PREDICTED_COLUMNS : 0)
  )
}

export function corrupt(message: string): AstropackError {
  return new AstropackError('CORRUPT_CHUNK', `text table: ${message}`)
}
