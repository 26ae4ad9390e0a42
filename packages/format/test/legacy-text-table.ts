/**
 * FROZEN REFERENCE: the previous string-based implementation of src/text-table.ts (SPEC §7.2), kept
 * unchanged (only its imports point at ../src) so tests can check that chunks written by the old code
 * decode identically with the new one, and the other way round. Do not edit or use outside tests.
 */
import { AstropackError } from '../src/errors.js'
import { LIMITS } from '../src/spec.js'

/**
 * Delimited text tables (CSV, TSV) stored as typed columns, rebuilt byte for byte (SPEC §7.2).
 * A group of whole lines becomes one chunk per column. Numbers whose text the standard ECMAScript
 * formatting reproduces exactly are stored as binary values; every other field is kept as an exception
 * with its original bytes, so nothing is ever changed.
 */

export const TextColumnKind = { raw: 0, text: 1, float64: 2, decimal: 3, fixed: 4 } as const
const HEADER = 8
const NEWLINE = 10
const latin1 = new TextDecoder('latin1')

function encodeLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  return out
}

function header(
  kind: number,
  scale: number,
  count: number,
  size: number,
): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(size)
  const view = new DataView(bytes.buffer)
  bytes[0] = kind
  bytes[1] = scale
  view.setUint32(4, count, true)
  return { bytes, view }
}

/** The value a field holds as kind/scale, or undefined when formatting it back would not give the same text. */
function fieldValue(field: string, kind: number, scale: number): number | undefined {
  if (field.length === 0 || field.length > 32) return undefined
  const value = Number(field)
  if (!Number.isFinite(value)) return undefined
  if (kind === TextColumnKind.float64) return String(value) === field ? value : undefined
  const k = Math.round(value * 10 ** scale)
  if (!Number.isSafeInteger(k) || k < -(2 ** 31) || k >= 2 ** 31) return undefined
  return formatValue(k, kind, scale) === field ? k : undefined
}

function formatValue(value: number, kind: number, scale: number): string {
  if (kind === TextColumnKind.float64) return String(value)
  const number = value / 10 ** scale
  return kind === TextColumnKind.fixed ? number.toFixed(scale) : String(number)
}

/** Picks the binary kind that reproduces most fields of a column (a sample of them). */
function chooseKind(fields: string[]): { kind: number; scale: number } {
  const sample =
    fields.length > 2000 ? fields.filter((_, i) => i % Math.ceil(fields.length / 2000) === 0) : fields
  let decimals = 0
  for (const field of sample) {
    const dot = field.indexOf('.')
    if (dot !== -1 && !/[eE]/.test(field)) decimals = Math.max(decimals, field.length - dot - 1)
  }
  const options = [
    { kind: TextColumnKind.fixed, scale: Math.min(decimals, 9) },
    { kind: TextColumnKind.decimal, scale: Math.min(decimals, 9) },
    { kind: TextColumnKind.float64, scale: 0 },
  ]
  let best = { kind: TextColumnKind.text as number, scale: 0, misses: sample.length * 0.2 } // binary must fit 80%
  for (const option of options) {
    const misses = sample.reduce(
      (n, field) => n + (fieldValue(field, option.kind, option.scale) === undefined ? 1 : 0),
      0,
    )
    if (misses < best.misses) best = { ...option, misses }
  }
  return best
}

function encodeColumn(fields: string[]): Uint8Array {
  const { kind, scale } = chooseKind(fields)
  const count = fields.length
  if (kind === TextColumnKind.text) {
    const body = encodeLatin1(fields.join('\n'))
    const { bytes } = header(kind, 0, count, HEADER + body.byteLength)
    bytes.set(body, HEADER)
    return bytes
  }
  const width = kind === TextColumnKind.float64 ? 8 : 4
  const exceptions: { row: number; bytes: Uint8Array }[] = []
  const values = new DataView(new ArrayBuffer(count * width))
  for (let row = 0; row < count; row++) {
    const value = fieldValue(fields[row]!, kind, scale)
    if (value === undefined) exceptions.push({ row, bytes: encodeLatin1(fields[row]!) })
    else if (width === 8) values.setFloat64(row * 8, value, true)
    else values.setInt32(row * 4, value, true)
  }
  const extra = exceptions.reduce((sum, e) => sum + e.bytes.byteLength, 0)
  const size = HEADER + count * width + 4 + exceptions.length * 8 + extra
  const { bytes, view } = header(kind, scale, count, size)
  bytes.set(new Uint8Array(values.buffer), HEADER)
  let at = HEADER + count * width
  view.setUint32(at, exceptions.length, true)
  at += 4
  for (const e of exceptions) {
    view.setUint32(at, e.row, true)
    view.setUint32(at + 4, e.bytes.byteLength, true)
    at += 8
  }
  for (const e of exceptions) {
    bytes.set(e.bytes, at)
    at += e.bytes.byteLength
  }
  return bytes
}

/**
 * Splits a group of whole lines (ending in a newline) into one chunk per column; a group that is not a
 * plain table (a line with another field count) is kept whole in the first chunk (kind raw).
 */
export function splitTextGroup(group: Uint8Array, delimiter: number, columnCount: number): Uint8Array[] {
  const text = latin1.decode(group)
  if (!text.endsWith('\n') || text.includes('\r') || text.includes('"')) return rawGroup(group, columnCount)
  const starts = fieldStarts(text, String.fromCharCode(delimiter), columnCount)
  if (!starts) return rawGroup(group, columnCount)
  const rows = starts.length / columnCount
  // One column at a time: only its fields exist as strings at once, which bounds a worker's heap.
  const encoded: Uint8Array[] = []
  for (let c = 0; c < columnCount; c++) {
    const fields = new Array<string>(rows)
    for (let row = 0, k = c; row < rows; row++, k += columnCount) {
      fields[row] = text.slice(starts[k]!, (k + 1 < starts.length ? starts[k + 1]! : text.length) - 1)
    }
    const column = encodeColumn(fields)
    // Tiny fields can take more room as values (1 byte of text, 8 of float64): stay within the chunk limit.
    if (column.byteLength > LIMITS.maxChunkRawSize) return rawGroup(group, columnCount)
    encoded.push(column)
  }
  return encoded
}

/**
 * Where every field starts (row by row, column by column; a field ends one byte before the next start),
 * or undefined when a line has another number of fields.
 */
function fieldStarts(text: string, separator: string, columnCount: number): Uint32Array | undefined {
  let rows = 0
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) rows++
  const starts = new Uint32Array(rows * columnCount)
  const last = columnCount - 1
  let k = 0
  for (let pos = 0; pos < text.length; ) {
    const lineEnd = text.indexOf('\n', pos)
    for (let c = 0; c < last; c++) {
      const end = text.indexOf(separator, pos)
      if (end === -1 || end > lineEnd) return undefined
      starts[k++] = pos
      pos = end + 1
    }
    const extra = text.indexOf(separator, pos)
    if (extra !== -1 && extra < lineEnd) return undefined
    starts[k++] = pos
    pos = lineEnd + 1
  }
  return starts
}

function rawGroup(group: Uint8Array, columnCount: number): Uint8Array[] {
  const first = header(TextColumnKind.raw, 0, 0, HEADER + group.byteLength).bytes
  first.set(group, HEADER)
  return [
    first,
    ...Array.from({ length: columnCount - 1 }, () => header(TextColumnKind.raw, 0, 0, HEADER).bytes),
  ]
}

function corrupt(message: string): AstropackError {
  return new AstropackError('CORRUPT_CHUNK', `text table: ${message}`)
}

/** A decoded column: its fields' bytes back to back, and where each ends. */
interface ColumnBytes {
  data: Uint8Array
  ends: Uint32Array
}

function toColumnBytes(fields: string[]): ColumnBytes {
  let size = 0
  for (const field of fields) size += field.length
  const data = new Uint8Array(size)
  const ends = new Uint32Array(fields.length)
  let at = 0
  fields.forEach((field, row) => {
    for (let i = 0; i < field.length; i++) data[at++] = field.charCodeAt(i)
    ends[row] = at
  })
  return { data, ends }
}

/** The fields of one decoded column chunk. */
function decodeColumn(bytes: Uint8Array): ColumnBytes {
  if (bytes.byteLength < HEADER) throw corrupt('column chunk shorter than its header')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const [kind, scale] = [bytes[0]!, bytes[1]!]
  const count = view.getUint32(4, true)
  if (kind === TextColumnKind.text) {
    // Already bytes: fields separated by newlines.
    const data = bytes.subarray(HEADER)
    // Checked before allocating: n fields need at least n - 1 separators.
    if (count > data.byteLength + 1)
      throw corrupt(`text column declares ${count} fields in ${data.byteLength} bytes`)
    const ends = new Uint32Array(count)
    let row = 0
    for (let i = 0; i < data.byteLength && row < count; i++) if (data[i] === NEWLINE) ends[row++] = i + 1
    if (row !== count - 1 && !(count === 0 && data.byteLength === 0)) {
      throw corrupt(`text column has ${row + 1} fields, declares ${count}`)
    }
    if (count > 0) ends[count - 1] = data.byteLength + 1
    return { data, ends }
  }
  const width =
    kind === TextColumnKind.float64
      ? 8
      : kind === TextColumnKind.decimal || kind === TextColumnKind.fixed
        ? 4
        : 0
  if (width === 0 || scale > 9) throw corrupt(`unknown column kind ${kind} or scale ${scale}`)
  let at = HEADER + count * width
  if (at + 4 > bytes.byteLength) throw corrupt('column chunk too short for its values')
  const fields = new Array<string>(count)
  for (let row = 0; row < count; row++) {
    const value =
      width === 8 ? view.getFloat64(HEADER + row * 8, true) : view.getInt32(HEADER + row * 4, true)
    fields[row] = formatValue(value, kind, scale)
  }
  const exceptions = view.getUint32(at, true)
  at += 4
  let text = at + exceptions * 8
  if (text > bytes.byteLength) throw corrupt('exception table past the end')
  for (let e = 0; e < exceptions; e++) {
    const row = view.getUint32(at + e * 8, true)
    const length = view.getUint32(at + e * 8 + 4, true)
    if (row >= count || text + length > bytes.byteLength) throw corrupt('exception out of range')
    fields[row] = latin1.decode(bytes.subarray(text, text + length))
    text += length
  }
  return toColumnBytes(fields)
}

/** Rebuilds the exact lines of a group from its column chunks. */
export function joinTextGroup(
  parts: readonly Uint8Array[],
  delimiter: number,
  into?: Uint8Array,
): Uint8Array {
  if (parts[0]?.[0] === TextColumnKind.raw) {
    const text = parts[0].subarray(HEADER)
    if (!into || into.byteLength < text.byteLength) return text
    into.set(text)
    return into.subarray(0, text.byteLength)
  }
  const columns = parts.map(decodeColumn)
  const rows = columns[0]?.ends.length ?? 0
  if (columns.some((column) => column.ends.length !== rows))
    throw corrupt('columns of a group differ in length')
  // Text fields end one byte past their data (the newline that separated them); values end at their data.
  const textKind = parts.map((part) => part[0] === TextColumnKind.text)
  let size = rows * columns.length // a delimiter or newline after every field
  columns.forEach((column, c) => {
    size += column.data.byteLength - (textKind[c] ? Math.max(rows - 1, 0) : 0)
  })
  if (size > LIMITS.maxGroupBytes) throw corrupt(`a group would rebuild to ${size} bytes`)
  const out = into && into.byteLength >= size ? into.subarray(0, size) : new Uint8Array(size)
  let at = 0
  const last = columns.length - 1
  const starts = new Array<number>(columns.length).fill(0)
  for (let row = 0; row < rows; row++) {
    for (let c = 0; c <= last; c++) {
      const { data, ends } = columns[c]!
      const end = textKind[c] ? ends[row]! - 1 : ends[row]!
      for (let i = starts[c]!; i < end; i++) out[at++] = data[i]!
      starts[c] = textKind[c] ? end + 1 : end
      out[at++] = c === last ? NEWLINE : delimiter
    }
  }
  if (at !== size) throw corrupt('rebuilt group size mismatch')
  return out
}
