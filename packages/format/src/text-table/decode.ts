import { LIMITS } from '../spec.js'
import { CR, corrupt, HEADER, NEWLINE, TextChunkFlag, TextColumnKind } from './chunk.js'
import {
  decimalLength,
  fixedLength,
  writeDecimal,
  writeFixed,
  writeLatin1,
  writeLongFloat64,
  writeShortFloat64,
} from './numbers.js'

/** A checked column chunk, read row by row (its exceptions in step with the rows). */
class Column {
  /** Where the next field starts: in `bytes` for text, in `floatText` for float64. */
  cursor = HEADER
  /** Float64: where this column's value texts start in `floatText`. */
  floatStart = 0
  /** The next exception: its index, its row (`count` when none is left), where its bytes start. */
  exception = 0
  exceptionRow = 0
  exceptionAt = 0

  constructor(
    readonly kind: number,
    readonly scale: number,
    readonly count: number,
    readonly bytes: Uint8Array,
    readonly view: DataView,
    /** The exception table (after its u32 count), its number of entries, where their bytes start. */
    readonly table: number,
    readonly exceptions: number,
    readonly exceptionBytes: number,
  ) {}

  /** Back to the first row. */
  rewind(): void {
    this.cursor = this.kind === TextColumnKind.float64 ? this.floatStart : HEADER
    this.exception = 0
    this.exceptionAt = this.exceptionBytes
    this.exceptionRow = this.exceptions > 0 ? this.view.getUint32(this.table, true) : this.count
  }

  /** The current exception's length; moves on to the next one. */
  nextException(): number {
    const length = this.view.getUint32(this.table + this.exception * 8 + 4, true)
    this.exceptionAt += length
    this.exception++
    this.exceptionRow =
      this.exception < this.exceptions
        ? this.view.getUint32(this.table + this.exception * 8, true)
        : this.count
    return length
  }
}

/** Checks a column chunk's header and tables against its length, before anything is allocated for it. */
function readColumn(bytes: Uint8Array): Column {
  if (bytes.byteLength < HEADER) throw corrupt('column chunk shorter than its header')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const [kind, scale] = [bytes[0]!, bytes[1]!]
  if ((bytes[2]! & ~TextChunkFlag.crlf) !== 0 || bytes[3] !== 0) {
    throw corrupt(`unknown column chunk flags ${bytes[2]}, ${bytes[3]}`)
  }
  const count = view.getUint32(4, true)
  if (kind === TextColumnKind.text) {
    // Fields separated by newlines: n fields need n - 1 separators.
    const length = bytes.byteLength - HEADER
    if (count > length + 1) throw corrupt(`text column declares ${count} fields in ${length} bytes`)
    let separators = 0
    for (let i = HEADER; i < bytes.byteLength; i++) if (bytes[i] === NEWLINE) separators++
    if (count === 0 ? length !== 0 : separators !== count - 1) {
      throw corrupt(`text column has ${separators + 1} fields, declares ${count}`)
    }
    return new Column(kind, 0, count, bytes, view, 0, 0, 0)
  }
  const width =
    kind === TextColumnKind.float64
      ? 8
      : kind === TextColumnKind.decimal || kind === TextColumnKind.fixed
        ? 4
        : 0
  if (width === 0 || scale > 9) throw corrupt(`unknown column kind ${kind} or scale ${scale}`)
  const table = HEADER + count * width + 4
  if (table > bytes.byteLength) throw corrupt('column chunk too short for its values')
  const exceptions = view.getUint32(table - 4, true)
  const exceptionBytes = table + exceptions * 8
  if (exceptionBytes > bytes.byteLength) throw corrupt('exception table past the end')
  let end = exceptionBytes
  for (let e = 0, previous = -1; e < exceptions; e++) {
    const row = view.getUint32(table + e * 8, true)
    end += view.getUint32(table + e * 8 + 4, true)
    // Rows ascend (SPEC §7.2), which lets the join walk them in step with the values.
    if (row >= count || row <= previous || end > bytes.byteLength) throw corrupt('exception out of range')
    previous = row
  }
  return new Column(kind, scale, count, bytes, view, table, exceptions, exceptionBytes)
}

// Float64 values as text, each followed by a 0 byte, formatted while sizing the group (String() is their
// costly part, so once only); reused group after group.
let floatText = new Uint8Array(0)

/**
 * How many bytes a numeric column's fields take. Float64 values are formatted into `floatText` from
 * `floatAt` on; returns where they end there too.
 */
function numericSize(column: Column, floatAt: number): { size: number; floatEnd: number } {
  const { kind, scale, count, view } = column
  column.floatStart = floatAt
  column.rewind()
  let size = 0
  // A column of full-precision doubles soon stops trying the short way first.
  let tryShort = 32
  for (let row = 0; row < count; row++) {
    if (row === column.exceptionRow) size += column.nextException()
    else if (kind === TextColumnKind.fixed) size += fixedLength(view.getInt32(HEADER + row * 4, true), scale)
    else if (kind === TextColumnKind.decimal) {
      size += decimalLength(view.getInt32(HEADER + row * 4, true), scale)
    } else {
      // Too much to rebuild anyway: stop formatting, the caller rejects the group.
      if (floatAt > LIMITS.maxGroupBytes) return { size: Number.POSITIVE_INFINITY, floatEnd: floatAt }
      if (floatText.byteLength < floatAt + 32) {
        const grown = new Uint8Array(Math.max(floatAt + 32, floatText.byteLength * 2))
        grown.set(floatText.subarray(0, floatAt))
        floatText = grown
      }
      const value = view.getFloat64(HEADER + row * 8, true)
      let end = tryShort > 0 ? writeShortFloat64(floatText, floatAt, value) : -1
      if (end === -1) {
        tryShort--
        end = writeLongFloat64(floatText, floatAt, value)
        if (end === -1) end = writeLatin1(floatText, floatAt, String(value))
      } else if (tryShort < 64) tryShort++
      size += end - floatAt
      floatText[end] = 0
      floatAt = end + 1
    }
  }
  return { size, floatEnd: floatAt }
}

/** Rebuilds the exact lines of a group from its column chunks. */
export function joinTextGroup(
  parts: readonly Uint8Array[],
  delimiter: number,
  into?: Uint8Array,
): Uint8Array {
  if (parts[0]?.[0] === TextColumnKind.raw) {
    if (parts[0].byteLength < HEADER) throw corrupt('column chunk shorter than its header')
    const text = parts[0].subarray(HEADER)
    if (!into || into.byteLength < text.byteLength) return text
    into.set(text)
    return into.subarray(0, text.byteLength)
  }
  const columns = parts.map(readColumn)
  const rows = columns[0]?.count ?? 0
  if (columns.some((column) => column.count !== rows)) throw corrupt('columns of a group differ in length')
  const flags = parts[0]?.[2] ?? 0
  if (parts.some((part) => part[2] !== flags)) throw corrupt('columns of a group differ in their flags')
  const crlf = (flags & TextChunkFlag.crlf) !== 0
  // A delimiter or newline after every field (and CR before each newline), then the fields: all counted
  // before the output is allocated.
  let size = rows * (columns.length + (crlf ? 1 : 0))
  let floatAt = 0
  for (const column of columns) {
    if (size > LIMITS.maxGroupBytes) break
    if (column.kind === TextColumnKind.text) size += column.bytes.byteLength - HEADER - Math.max(rows - 1, 0)
    else {
      const numeric = numericSize(column, floatAt)
      size += numeric.size
      floatAt = numeric.floatEnd
    }
  }
  if (size > LIMITS.maxGroupBytes) throw corrupt(`a group would rebuild to ${size} bytes`)
  const out = into && into.byteLength >= size ? into.subarray(0, size) : new Uint8Array(size)
  if (writeRows(columns, rows, delimiter, crlf, out) !== size) throw corrupt('rebuilt group size mismatch')
  return out
}

/** Writes the lines field by field, formatting values straight into `out`; returns the end. */
function writeRows(
  columns: Column[],
  rows: number,
  delimiter: number,
  crlf: boolean,
  out: Uint8Array,
): number {
  for (const column of columns) column.rewind()
  const last = columns.length - 1
  let at = 0
  for (let row = 0; row < rows; row++) {
    for (let c = 0; c <= last; c++) {
      const column = columns[c]!
      const kind = column.kind
      if (kind === TextColumnKind.text) {
        const bytes = column.bytes
        let i = column.cursor
        for (let byte = bytes[i]; i < bytes.byteLength && byte !== NEWLINE; byte = bytes[++i])
          out[at++] = byte!
        column.cursor = i + 1
      } else if (row === column.exceptionRow) {
        const from = column.exceptionAt
        const length = column.nextException()
        if (length > 32) out.set(column.bytes.subarray(from, from + length), at)
        else for (let i = 0; i < length; i++) out[at + i] = column.bytes[from + i]!
        at += length
      } else if (kind === TextColumnKind.fixed) {
        at = writeFixed(out, at, column.view.getInt32(HEADER + row * 4, true), column.scale)
      } else if (kind === TextColumnKind.decimal) {
        at = writeDecimal(out, at, column.view.getInt32(HEADER + row * 4, true), column.scale)
      } else {
        let i = column.cursor
        for (let byte = floatText[i]; byte !== 0; byte = floatText[++i]) out[at++] = byte!
        column.cursor = i + 1
      }
      if (c < last) out[at++] = delimiter
    }
    if (crlf) out[at++] = CR
    out[at++] = NEWLINE
  }
  return at
}
