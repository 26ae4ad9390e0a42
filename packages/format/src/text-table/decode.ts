import { LIMITS } from '../spec.js'
import { CR, corrupt, HEADER, NEWLINE, padLeft, TextChunkFlag, TextColumnKind } from './chunk.js'
import { type Column, Mode, readColumn } from './column-chunk.js'
import { gridDigits, writeGrid } from './grid.js'
import { writeInteger } from './integers.js'
import { writeDecimal, writeFixed, writeFloat64Text, writeLatin1 } from './numbers.js'
import { resolvePredictedGroup } from './predicted.js'
import { POW10 } from './shortest.js'
import { dropLeadingZero, plainIn, pointZero } from './styles.js'

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
  const columns = resolvePredictedGroup(parts).map(readColumn)
  const rows = columns[0]?.count ?? 0
  if (columns.some((column) => column.count !== rows)) throw corrupt('columns of a group differ in length')
  const crlf = ((parts[0]?.[2] ?? 0) & TextChunkFlag.crlf) !== 0
  if (parts.some((part) => ((part[2]! & TextChunkFlag.crlf) !== 0) !== crlf))
    throw corrupt('columns of a group differ in their line ends')
  // One pass, into `into` when given (callers pass room for a whole group's text), else into a buffer
  // that grows with the text: nothing is sized from the declared counts before the rows are written.
  const rowBound = columns.reduce(
    (sum, column) => sum + Math.max(column.maxField, column.pad) + 1,
    crlf ? 1 : 0,
  )
  const out = into ?? new Uint8Array(Math.min(rowBound * Math.min(rows, 1024), 1 << 20))
  return writeRows(columns, rows, delimiter, crlf, out, rowBound)
}

/**
 * Writes the lines field by field, formatting values straight into `out`; returns the group's text, in
 * `out` when it fits. A row that might not fit the room left (at most `rowBound` bytes) is written aside
 * first, and `out` is outgrown only by text that really does not fit it.
 */
function writeRows(
  columns: Column[],
  rows: number,
  delimiter: number,
  crlf: boolean,
  out: Uint8Array,
  rowBound: number,
): Uint8Array {
  for (const column of columns) column.rewind()
  const aside = new Uint8Array(rowBound)
  let at = 0
  for (let row = 0; row < rows; row++) {
    if (at + rowBound <= out.byteLength) {
      at = writeRow(columns, row, delimiter, crlf, out, at)
      continue
    }
    if (at > LIMITS.maxGroupBytes)
      throw corrupt(`a group rebuilds to more than ${LIMITS.maxGroupBytes} bytes`)
    const length = writeRow(columns, row, delimiter, crlf, aside, 0)
    if (at + length > out.byteLength) {
      const grown = new Uint8Array(Math.max(out.byteLength * 2, at + rowBound))
      grown.set(out.subarray(0, at))
      out = grown
    }
    out.set(aside.subarray(0, length), at)
    at += length
  }
  if (at > LIMITS.maxGroupBytes) throw corrupt(`a group rebuilds to more than ${LIMITS.maxGroupBytes} bytes`)
  return out.subarray(0, at)
}

/** Writes line `row` at `at`; returns its end. */
function writeRow(
  columns: Column[],
  row: number,
  delimiter: number,
  crlf: boolean,
  out: Uint8Array,
  at: number,
): number {
  const last = columns.length - 1
  for (let c = 0; c <= last; c++) {
    const column = columns[c]!
    const kind = column.kind
    if (kind === TextColumnKind.text) {
      const bytes = column.bytes
      let i = column.cursor
      for (let byte = bytes[i]; i < bytes.byteLength && byte !== NEWLINE; byte = bytes[++i]) out[at++] = byte!
      column.cursor = i + 1
    } else if (kind === TextColumnKind.dictionary) {
      const entry = column.entries[column.bytes[HEADER + row]!]!
      for (let i = 0; i < entry.byteLength; i++) out[at++] = entry[i]!
    } else if (row === column.exceptionRow) {
      const from = column.exceptionAt
      const length = column.nextException()
      if (length > 32) out.set(column.bytes.subarray(from, from + length), at)
      else for (let i = 0; i < length; i++) out[at + i] = column.bytes[from + i]!
      at += length
    } else {
      const view = column.view
      const start = at
      if (column.affixed) for (let i = 0; i < column.prefix.byteLength; i++) out[at++] = column.prefix[i]!
      const number = at
      switch (column.mode) {
        case Mode.float64:
          at = writeFloat64Text(out, at, view.getFloat64(HEADER + row * 8, true), column)
          break
        case Mode.decimal:
          at = writeDecimal(out, at, view.getInt32(HEADER + row * 4, true), column.scale)
          break
        case Mode.fixed:
          at = writeFixed(out, at, view.getInt32(HEADER + row * 4, true), column.scale)
          break
        case Mode.grid: {
          const k = view.getInt32(HEADER + row * 4, true)
          at = writeGrid(out, at, k, gridDigits(k, column.num, column.den), column.scale, column.bytes[3]!)
          break
        }
        case Mode.integer: {
          const { prefix, suffix } = column
          for (let i = 0; i < prefix.byteLength; i++) out[at++] = prefix[i]!
          at = writeInteger(
            out,
            at,
            view.getUint32(HEADER + row * 8, true),
            view.getInt32(HEADER + row * 8 + 4, true),
          )
          for (let i = 0; i < suffix.byteLength; i++) out[at++] = suffix[i]!
          break
        }
        default:
          at = writeRepr(out, at, column, row)
      }
      if (column.dropZero) at = dropLeadingZero(out, number, at)
      if (column.affixed) for (let i = 0; i < column.suffix.byteLength; i++) out[at++] = column.suffix[i]!
      if (column.pad > 0) at = padLeft(out, start, at, column.pad)
    }
    if (c < last) out[at++] = delimiter
  }
  if (crlf) out[at++] = CR
  out[at++] = NEWLINE
  return at
}

/** Python's or Java's text of a float64 or decimal column's value at `at` (see styles.ts); returns the end. */
function writeRepr(out: Uint8Array, at: number, column: Column, row: number): number {
  const decimal = column.mode === Mode.reprDecimal
  const k = decimal ? column.view.getInt32(HEADER + row * 4, true) : 0
  const value = decimal ? k / POW10[column.scale]! : column.view.getFloat64(HEADER + row * 8, true)
  if (plainIn(column.repr, value))
    return pointZero(
      out,
      at,
      decimal ? writeDecimal(out, at, k, column.scale) : writeFloat64Text(out, at, value, column),
    )
  // Non-finite values are never written as values: such a slot is damage.
  const text = column.repr.repr(value)
  if (text === undefined) throw corrupt(`float64 value ${value} in a Python- or Java-style column`)
  return writeLatin1(out, at, text)
}
