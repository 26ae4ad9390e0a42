import { LIMITS } from '../spec.js'
import {
  type Affixes,
  type ColumnFields,
  CR,
  HEADER,
  NEWLINE,
  newChunk,
  numberAffixes,
  padWidth,
  SPACE,
  TextChunkFlag,
  TextColumnKind,
  valueEnd,
  valueStart,
} from './chunk.js'
import { encodeDictionary, fewDistinct } from './dictionary.js'
import { fieldStarts, fixedFieldStarts } from './fields.js'
import { chooseGrid, GridStyle, gridValue } from './grid.js'
import { integerAffixes, integerValue } from './integers.js'
import { float64Value, scaledValue } from './numbers.js'
import { JAVA, leadingDotValue, NumberStyle, PYTHON, reprValue } from './styles.js'

const DOT = 46
const PLUS = 43
const MINUS = 45
const ZERO_BYTE = 48
const NO_BYTES = new Uint8Array(0)
/** Fields a column's kind is chosen on. */
const SAMPLE = 2000
/** What an exception adds to a column: its row and length, and a few bytes of text. */
const EXCEPTION_COST = 12
/** A text column is stored as a dictionary when its sample has at most this many distinct fields. */
const DICTIONARY_SAMPLE_ENTRIES = 64

/** How a column stores its fields: a kind, its scale, and for integers the text around each value. */
interface ColumnKind {
  kind: number
  scale: number
  /** Float64 and decimal values: how they are written (NumberStyle); grids: GridStyle. */
  style?: number
  prefix?: Uint8Array
  suffix?: Uint8Array
  /** Grid values: the divisor and the fraction 10^scale / divisor in lowest terms. */
  divisor?: number
  terms?: { num: number; den: number }
  /** Values right-aligned with spaces to this width (VizieR's TSV), or 0. */
  pad?: number
  /** Float64, decimal, fixed and grid values: the text around each (quotes, a space after the comma). */
  around?: Affixes
}

/**
 * Every ColumnKind with the same fields in the same order, so fieldValue's reads of `as` meet one object
 * shape: the literals and spreads it was made from before gave V8 several, and those reads cost a fifth
 * of splitting Tycho-2's and a Gaia-style CSV into columns.
 */
function columnKind(fields: ColumnKind): ColumnKind {
  const { kind, scale, style, prefix, suffix, divisor, terms, pad, around } = fields
  return { kind, scale, style, prefix, suffix, divisor, terms, pad, around }
}

/** An integer field's words (low, high), as integerValue reads them. */
const words = new Float64Array(2)

/**
 * The value a field stores as `as` (for integers: 0, the value itself in `words`), or NaN when it must be
 * kept as an exception.
 */
function fieldValue(group: Uint8Array, a: number, b: number, as: ColumnKind): number {
  if (as.kind === TextColumnKind.grid) return gridValue(group, a, b, as.scale, as.terms!, as.style!)
  const scale = as.kind === TextColumnKind.decimal ? as.scale : undefined
  if (as.style === NumberStyle.python) return reprValue(PYTHON, group, a, b, scale)
  if (as.style === NumberStyle.java) return reprValue(JAVA, group, a, b, scale)
  if (as.style === NumberStyle.leadingDot) return leadingDotValue(group, a, b, scale)
  if (as.kind === TextColumnKind.float64) return float64Value(group, a, b)
  if (as.kind === TextColumnKind.integer)
    return integerValue(group, a, b, as.prefix!, as.suffix!, words) ? 0 : Number.NaN
  if (b - a === 0 || b - a > 32) return Number.NaN
  return scaledValue(group, a, b, as.kind === TextColumnKind.fixed, as.scale)
}

/**
 * Splits a group of whole lines (ending in a newline) into one chunk per column; a group that is not a
 * plain table (a line with another field count) is kept whole in the first chunk (kind raw).
 * `separators`, for a fixed-width table: the byte positions within a line of the delimiters between its
 * fields (ascending; columnCount - 1 of them), instead of wherever the delimiter byte stands.
 */
export function splitTextGroup(
  group: Uint8Array,
  delimiter: number,
  columnCount: number,
  separators?: readonly number[],
): Uint8Array[] {
  const size = group.byteLength
  if (columnCount < 1 || size === 0 || group[size - 1] !== NEWLINE) return rawGroup(group, columnCount)
  // Lines ending in CR LF (files written on Windows) when the last one does; any other CR: not plain.
  const crlf = size >= 2 && group[size - 2] === CR
  if (!crlf && group.includes(CR)) return rawGroup(group, columnCount)
  const starts = separators
    ? fixedFieldStarts(group, delimiter, separators, crlf)
    : fieldStarts(group, delimiter, columnCount, crlf)
  if (!starts) return rawGroup(group, columnCount)
  const encoded: Uint8Array[] = []
  for (let c = 0; c < columnCount; c++) {
    // A field ends before the delimiter or newline after it, and the last one before CR LF.
    const field = { group, starts, c, columnCount, trim: crlf && c === columnCount - 1 ? 1 : 0 }
    const column = encodeColumn(field, crlf ? TextChunkFlag.crlf : 0)
    // Tiny fields can take more room as values (1 byte of text, 8 of float64): stay within the chunk limit.
    if (!column) return rawGroup(group, columnCount)
    encoded.push(column)
  }
  return encoded
}

/** Picks the binary kind that reproduces most fields of a column (a sample of them). */
function chooseKind(fields: ColumnFields): ColumnKind {
  const { group, starts, c, columnCount, trim } = fields
  const rows = (starts.length - 1) / columnCount
  const step = rows > SAMPLE ? Math.ceil(rows / SAMPLE) : 1
  const stride = step * columnCount
  // Values right-aligned with spaces (VizieR's TSV) are read without the spaces, and values that share the
  // text around them (a CSV that quotes every field, a space after each comma) without that text.
  const pad = padWidth(fields, stride)
  const firstWhole = firstField(fields, stride)
  // A padded field's own span: after its padding, up to the delimiter (spaces before it included).
  const unpadded: [number, number] | undefined =
    pad && firstWhole ? [valueStart(group, firstWhole[0], firstWhole[1], pad), firstWhole[1]] : undefined
  const around = firstWhole
    ? unpadded
      ? trailingSpaces(group, ...unpadded)
      : numberAffixes(group, ...firstWhole)
    : undefined
  // Field k's value, without padding or that text: [start(k, b), end(a, b)).
  const start = (k: number, b: number) => valueStart(group, starts[k]!, b, pad, around)
  const end = (a: number, b: number) => valueEnd(a, b, around)
  let decimals = 0
  let sameDecimals = true
  let first: [number, number] | undefined
  let python = false
  let leadingDot = false
  let java = false
  for (let k = c; k < starts.length - 1; k += stride) {
    const a = start(k, starts[k + 1]! - 1 - trim)
    const b = end(a, starts[k + 1]! - 1 - trim)
    let dot = -1
    let exponent = -1
    for (let i = a; i < b; i++) {
      const byte = group[i]!
      if (byte === DOT && dot === -1) dot = i
      else if ((byte | 0x20) === 0x65) exponent = i
    }
    if (dot !== -1 && exponent === -1) {
      sameDecimals &&= decimals === 0 || b - dot - 1 === decimals
      decimals = Math.max(decimals, b - dot - 1)
    }
    // Python's marks: `2.0`, and exponents of two digits or with a plus sign (`1e-05`, `1e+16`).
    python ||=
      (exponent === -1 && dot === b - 2 && group[b - 1] === ZERO_BYTE) ||
      (exponent !== -1 && (group[exponent + 1] === PLUS || group[exponent + 2] === ZERO_BYTE))
    // Java's mark: a capital E after a point (`1.0E-5`).
    java ||= exponent !== -1 && dot !== -1 && dot < exponent && group[exponent] === 0x45
    // JPL's mark: no zero before the point (`.0786`).
    leadingDot ||= group[a] === DOT || (group[a] === MINUS && group[a + 1] === DOT)
    if (!first && b > a) first = [a, b]
  }
  // Integers keep the text around the first field's digits: every field must share it (all of it: the
  // integer kind has its own affixes).
  const whole = around ? (unpadded ?? firstWhole) : first
  const affixes = whole && integerAffixes(group, whole[0], whole[1])
  const scale = Math.min(decimals, 9)
  // In this order, so that on a tie the narrower value wins, and integers (with delta chains) over doubles.
  const gridStyle = python ? GridStyle.pointZero : sameDecimals ? GridStyle.fixed : GridStyle.plain
  const grid = chooseGrid(fields, stride, decimals, gridStyle, start, end)
  const options: ColumnKind[] = [
    ...(grid ? [columnKind({ kind: TextColumnKind.grid, scale: decimals, style: gridStyle, ...grid })] : []),
    columnKind({ kind: TextColumnKind.fixed, scale }),
    columnKind({ kind: TextColumnKind.decimal, scale }),
    ...(affixes ? [columnKind({ kind: TextColumnKind.integer, scale: 0, ...affixes })] : []),
    columnKind({ kind: TextColumnKind.float64, scale: 0 }),
    // Decimals and doubles in each other style the sample shows marks of.
    ...[python && NumberStyle.python, java && NumberStyle.java, leadingDot && NumberStyle.leadingDot].flatMap(
      (style) =>
        style === false
          ? []
          : [
              columnKind({ kind: TextColumnKind.decimal, scale, style }),
              columnKind({ kind: TextColumnKind.float64, scale: 0, style }),
            ],
    ),
  ]
  // A binary kind must fit 80% of the sampled fields that are not empty (nulls are exceptions of every
  // kind), and most fields must be filled: as text, an empty field costs one byte, as an exception eight.
  let filled = 0
  for (let k = c; k < starts.length - 1; k += stride) {
    const b = starts[k + 1]! - 1 - trim
    const a = start(k, b)
    if (end(a, b) > a) filled++
  }
  const sampled = Math.ceil(rows / step)
  const limit = filled >= sampled * 0.5 ? filled * 0.2 : 0
  // Of the kinds that fit, the one whose values and exceptions take the fewest bytes (before compression).
  let best = columnKind({ kind: TextColumnKind.text, scale: 0 })
  let bestCost = Number.POSITIVE_INFINITY
  for (const option of options) {
    const values =
      sampled * (option.kind === TextColumnKind.float64 || option.kind === TextColumnKind.integer ? 8 : 4)
    let misses = 0
    const fits = () => misses < limit && values + misses * EXCEPTION_COST < bestCost
    const whole = around && option.kind === TextColumnKind.integer
    for (let k = c; k < starts.length - 1 && fits(); k += stride) {
      const b = starts[k + 1]! - 1 - trim
      const a = whole ? (pad ? valueStart(group, starts[k]!, b, pad) : starts[k]!) : start(k, b)
      const e = whole ? b : end(a, b)
      if (e > a && Number.isNaN(fieldValue(group, a, e, option))) misses++
    }
    if (fits()) {
      best = option
      bestCost = values + misses * EXCEPTION_COST
    }
  }
  if (best.kind === TextColumnKind.text && fewDistinct(fields, stride, DICTIONARY_SAMPLE_ENTRIES))
    return columnKind({ kind: TextColumnKind.dictionary, scale: 0 })
  if (best.kind === TextColumnKind.text) return best
  return columnKind(
    around && best.kind !== TextColumnKind.integer ? { ...best, around, pad } : { ...best, pad },
  )
}

/**
 * The spaces after a padded field's number (astropy's bar-separated tables: `|  11.06 |`), as the text
 * after every value of its column; undefined when it has none or other text there.
 */
function trailingSpaces(group: Uint8Array, a: number, b: number): Affixes | undefined {
  let end = b
  while (end > a && group[end - 1] === SPACE) end--
  if (end === b || end === a || b - end > 8) return undefined
  return { prefix: NO_BYTES, suffix: group.slice(end, b) }
}

/** The first non-empty field of a column's sample, whole. */
function firstField(fields: ColumnFields, stride: number): [number, number] | undefined {
  const { starts, c, trim } = fields
  for (let k = c; k < starts.length - 1; k += stride) {
    const b = starts[k + 1]! - 1 - trim
    if (b > starts[k]!) return [starts[k]!, b]
  }
  return undefined
}

// Per-row scratch reused group after group: a worker keeps one of each instead of allocating per column.
let values = new Float64Array(0)
let highs = new Float64Array(0)
let exceptionRows = new Uint32Array(0)

/** One column as a chunk, or undefined when it would pass the chunk size limit. */
function encodeColumn(fields: ColumnFields, flags: number): Uint8Array | undefined {
  const { group, starts, c, columnCount, trim } = fields
  const as = chooseKind(fields)
  const { kind, scale } = as
  const rows = (starts.length - 1) / columnCount
  if (kind === TextColumnKind.dictionary) return encodeDictionary(fields, flags) ?? textColumn(fields, flags)
  if (kind === TextColumnKind.text) return textColumn(fields, flags)
  if (values.length < rows) values = new Float64Array(rows)
  if (exceptionRows.length < rows) exceptionRows = new Uint32Array(rows)
  const integer = kind === TextColumnKind.integer
  if (integer && highs.length < rows) highs = new Float64Array(rows)
  let exceptions = 0
  let extra = 0
  const pad = as.pad ?? 0
  const prefix = as.around?.prefix ?? NO_BYTES
  const suffix = as.around?.suffix ?? NO_BYTES
  for (let row = 0, k = c; row < rows; row++, k += columnCount) {
    const b = starts[k + 1]! - 1 - trim
    // A padded field of another width, or one without the text around values, is an exception (its text
    // empty here).
    const a = valueStart(group, starts[k]!, b, pad, as.around)
    const value = fieldValue(group, a, valueEnd(a, b, as.around), as)
    if (Number.isNaN(value)) {
      exceptionRows[exceptions++] = row
      extra += b - starts[k]!
      // The slot of an exception is ignored: the value before it keeps XOR and delta runs at zero.
      values[row] = row > 0 ? values[row - 1]! : 0
      if (integer) highs[row] = row > 0 ? highs[row - 1]! : 0
    } else if (integer) {
      values[row] = words[0]!
      highs[row] = words[1]!
    } else values[row] = value
  }
  const width = kind === TextColumnKind.float64 || integer ? 8 : 4
  const tail = integer
    ? 2 + as.prefix!.byteLength + as.suffix!.byteLength
    : kind === TextColumnKind.grid
      ? 4
      : 0
  const around = as.around ? prefix.byteLength + suffix.byteLength + 2 : 0
  const size = HEADER + rows * width + 4 + exceptions * 8 + extra + tail + around + (pad ? 2 : 0)
  if (size > LIMITS.maxChunkRawSize) return undefined
  const flag = (pad ? TextChunkFlag.padded : 0) | (as.around ? TextChunkFlag.affixed : 0)
  const bytes = newChunk(kind, scale, rows, size, flags | flag, as.style)
  const view = new DataView(bytes.buffer)
  if (integer)
    for (let row = 0; row < rows; row++) {
      view.setUint32(HEADER + row * 8, values[row]!, true)
      view.setInt32(HEADER + row * 8 + 4, highs[row]!, true)
    }
  else if (width === 8)
    for (let row = 0; row < rows; row++) view.setFloat64(HEADER + row * 8, values[row]!, true)
  else for (let row = 0; row < rows; row++) view.setInt32(HEADER + row * 4, values[row]!, true)
  let at = HEADER + rows * width
  view.setUint32(at, exceptions, true)
  at += 4
  let text = at + exceptions * 8
  for (let e = 0; e < exceptions; e++, at += 8) {
    const row = exceptionRows[e]!
    const a = starts[row * columnCount + c]!
    const b = starts[row * columnCount + c + 1]! - 1 - trim
    view.setUint32(at, row, true)
    view.setUint32(at + 4, b - a, true)
    bytes.set(group.subarray(a, b), text)
    text += b - a
  }
  if (integer) {
    bytes[text] = as.prefix!.byteLength
    bytes.set(as.prefix!, text + 1)
    text += 1 + as.prefix!.byteLength
    bytes[text] = as.suffix!.byteLength
    bytes.set(as.suffix!, text + 1)
  }
  if (kind === TextColumnKind.grid) view.setUint32(text, as.divisor!, true)
  if (as.around) {
    // The chunk's tail: prefix, suffix, u8 prefix length, u8 suffix length (before a padded width).
    const end = size - (pad ? 2 : 0)
    bytes.set(prefix, end - around)
    bytes.set(suffix, end - around + prefix.byteLength)
    bytes[end - 2] = prefix.byteLength
    bytes[end - 1] = suffix.byteLength
  }
  if (pad) view.setUint16(size - 2, pad, true)
  return bytes
}

/** A column as text: its fields joined by newlines. */
function textColumn(fields: ColumnFields, flags: number): Uint8Array | undefined {
  const { group, starts, c, columnCount, trim } = fields
  const rows = (starts.length - 1) / columnCount
  const end = starts.length - 1
  let size = HEADER + rows - 1
  for (let k = c; k < end; k += columnCount) size += starts[k + 1]! - 1 - trim - starts[k]!
  if (size > LIMITS.maxChunkRawSize) return undefined
  const bytes = newChunk(TextColumnKind.text, 0, rows, size, flags)
  let at = HEADER
  for (let k = c; k < end; k += columnCount) {
    const a = starts[k]!
    const b = starts[k + 1]! - 1 - trim
    if (b - a > 32) bytes.set(group.subarray(a, b), at)
    else for (let i = a; i < b; i++) bytes[at + i - a] = group[i]!
    at += b - a
    if (at < size) bytes[at++] = NEWLINE
  }
  return bytes
}

function rawGroup(group: Uint8Array, columnCount: number): Uint8Array[] {
  const first = newChunk(TextColumnKind.raw, 0, 0, HEADER + group.byteLength)
  first.set(group, HEADER)
  return [first, ...Array.from({ length: columnCount - 1 }, () => newChunk(TextColumnKind.raw, 0, 0, HEADER))]
}
