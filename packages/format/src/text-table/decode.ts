import { LIMITS } from '../spec.js'
import { CR, corrupt, HEADER, NEWLINE, padLeft, TextChunkFlag, TextColumnKind } from './chunk.js'
import { readDictionary } from './dictionary.js'
import { GridStyle, gridDigits, gridTerms, writeGrid } from './grid.js'
import { writeInteger } from './integers.js'
import { writeDecimal, writeFixed, writeLatin1, writeLongFloat64, writeShortFloat64 } from './numbers.js'
import { resolvePredictedGroup } from './predicted.js'
import { POW10 } from './shortest.js'
import { dropLeadingZero, JAVA, NumberStyle, PYTHON, plainIn, pointZero, type ReprStyle } from './styles.js'

/** How a column writes its values: its kind, and for float64 and decimal columns its number style. */
const Mode = {
  float64: 0,
  decimal: 1,
  fixed: 2,
  integer: 3,
  reprFloat64: 4,
  reprDecimal: 5,
  grid: 6,
} as const

function modeOf(kind: number, style: number): number {
  if (kind === TextColumnKind.integer) return Mode.integer
  if (kind === TextColumnKind.grid) return Mode.grid
  if (kind === TextColumnKind.fixed) return Mode.fixed
  const repr = style === NumberStyle.python || style === NumberStyle.java
  if (kind === TextColumnKind.decimal) return repr ? Mode.reprDecimal : Mode.decimal
  return repr ? Mode.reprFloat64 : Mode.float64
}

/** A checked column chunk, read row by row (its exceptions in step with the rows). */
class Column {
  /** Text: where the next field starts in `bytes`. */
  cursor = HEADER
  /** Float64: how many more values to try the short way first (see writeFloat64). */
  tryShort = 32
  /** The next exception: its index, its row (`count` when none is left), where its bytes start. */
  exception = 0
  exceptionRow = 0
  exceptionAt = 0
  /** Integers: the text before and after each value. */
  prefix: Uint8Array = NO_BYTES
  suffix: Uint8Array = NO_BYTES
  /** Dictionaries: the distinct fields that codes index. */
  entries: Uint8Array[] = []
  /** Grids: 10^scale / divisor in lowest terms. */
  num = 1
  den = 1
  /** Values right-aligned with spaces to this width, or 0. */
  pad = 0
  /** Float64, decimal, fixed and grid values with `prefix` before and `suffix` after each. */
  affixed = false
  /** Numeric kinds: how values are written (Mode), decided once rather than per field. */
  readonly mode: number
  /** Float64 and decimal values written without the zero before the point (NumberStyle.leadingDot). */
  readonly dropZero: boolean
  /** Python's or Java's texts (Mode.reprFloat64, Mode.reprDecimal). */
  readonly repr: ReprStyle

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
    /** The most bytes one of its fields takes. */
    public maxField: number,
  ) {
    this.mode = modeOf(kind, bytes[3]!)
    this.dropZero =
      bytes[3] === NumberStyle.leadingDot &&
      (kind === TextColumnKind.float64 || kind === TextColumnKind.decimal)
    this.repr = bytes[3] === NumberStyle.java ? JAVA : PYTHON
  }

  /** Back to the first row. */
  rewind(): void {
    this.cursor = HEADER
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
function readColumn(chunk: Uint8Array): Column {
  if (chunk.byteLength < HEADER) throw corrupt('column chunk shorter than its header')
  const flags = chunk[2]!
  let body = chunk
  // Padded values: the width is in the last 2 bytes, after everything else.
  let pad = 0
  if (flags & TextChunkFlag.padded) {
    if (body.byteLength < HEADER + 2) throw corrupt('padded column chunk too short for its width')
    pad = body[body.byteLength - 2]! | (body[body.byteLength - 1]! << 8)
    body = body.subarray(0, body.byteLength - 2)
    if (pad < 2) throw corrupt(`padding to a width of ${pad}`)
  }
  // Affixed values: prefix, suffix, u8 prefix length, u8 suffix length, after what the kind holds.
  let affixes: [Uint8Array, Uint8Array] | undefined
  if (flags & TextChunkFlag.affixed) {
    const length = body.byteLength
    const p = body[length - 2] ?? 0
    const s = body[length - 1] ?? 0
    if (length < HEADER + 2 + p + s) throw corrupt('affixed column chunk too short for its affixes')
    affixes = [body.slice(length - 2 - s - p, length - 2 - s), body.slice(length - 2 - s, length - 2)]
    body = body.subarray(0, length - 2 - s - p)
  }
  const column = readKind(body)
  if ((pad || affixes) && !VALUE_KINDS.has(column.kind))
    throw corrupt(`padding or affixes on a column of kind ${column.kind}`)
  if (affixes && column.kind === TextColumnKind.integer) throw corrupt('affixes on an integer column')
  column.pad = pad
  if (affixes) {
    column.affixed = true
    ;[column.prefix, column.suffix] = affixes
    column.maxField += affixes[0].byteLength + affixes[1].byteLength
  }
  return column
}

/** Kinds whose values a padded column right-aligns. */
const VALUE_KINDS: ReadonlySet<number> = new Set([
  TextColumnKind.float64,
  TextColumnKind.decimal,
  TextColumnKind.fixed,
  TextColumnKind.integer,
  TextColumnKind.grid,
])

function readKind(bytes: Uint8Array): Column {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const [kind, scale] = [bytes[0]!, bytes[1]!]
  const style = bytes[3]!
  const styled = kind === TextColumnKind.float64 || kind === TextColumnKind.decimal
  const maxStyle = kind === TextColumnKind.grid ? GridStyle.fixed : styled ? NumberStyle.java : 0
  const known = TextChunkFlag.crlf | TextChunkFlag.padded | TextChunkFlag.affixed
  if ((bytes[2]! & ~known) !== 0 || style > maxStyle) {
    throw corrupt(`unknown column chunk flags ${bytes[2]} or number style ${style}`)
  }
  const count = view.getUint32(4, true)
  if (kind === TextColumnKind.text) {
    // Fields separated by newlines: n fields need n - 1 separators.
    const length = bytes.byteLength - HEADER
    if (count > length + 1) throw corrupt(`text column declares ${count} fields in ${length} bytes`)
    let separators = 0
    let maxField = 0
    for (let at = HEADER, next = bytes.indexOf(NEWLINE, at); ; next = bytes.indexOf(NEWLINE, at)) {
      maxField = Math.max(maxField, (next === -1 ? bytes.byteLength : next) - at)
      if (next === -1) break
      separators++
      at = next + 1
    }
    if (count === 0 ? length !== 0 : separators !== count - 1) {
      throw corrupt(`text column has ${separators + 1} fields, declares ${count}`)
    }
    return new Column(kind, 0, count, bytes, view, 0, 0, 0, maxField)
  }
  if (kind === TextColumnKind.dictionary) {
    if (scale !== 0) throw corrupt(`dictionary column with scale ${scale}`)
    const entries = readDictionary(bytes, count)
    const column = new Column(
      kind,
      0,
      count,
      bytes,
      view,
      0,
      0,
      0,
      Math.max(0, ...entries.map((e) => e.byteLength)),
    )
    column.entries = entries
    return column
  }
  const width =
    kind === TextColumnKind.float64 || kind === TextColumnKind.integer
      ? 8
      : kind === TextColumnKind.decimal || kind === TextColumnKind.fixed || kind === TextColumnKind.grid
        ? 4
        : 0
  const maxScale = kind === TextColumnKind.grid ? 15 : kind === TextColumnKind.integer ? 0 : 9
  const minScale = kind === TextColumnKind.grid ? 1 : 0
  if (width === 0 || scale < minScale || scale > maxScale)
    throw corrupt(`unknown column kind ${kind} or scale ${scale}`)
  const table = HEADER + count * width + 4
  if (table > bytes.byteLength) throw corrupt('column chunk too short for its values')
  const exceptions = view.getUint32(table - 4, true)
  const exceptionBytes = table + exceptions * 8
  if (exceptionBytes > bytes.byteLength) throw corrupt('exception table past the end')
  let end = exceptionBytes
  let maxField = MAX_NUMBER_TEXT
  for (let e = 0, previous = -1; e < exceptions; e++) {
    const row = view.getUint32(table + e * 8, true)
    const length = view.getUint32(table + e * 8 + 4, true)
    end += length
    maxField = Math.max(maxField, length)
    // Rows ascend (SPEC §7.2), which lets the join walk them in step with the values.
    if (row >= count || row <= previous || end > bytes.byteLength) throw corrupt('exception out of range')
    previous = row
  }
  if (kind === TextColumnKind.grid) {
    // After the exceptions: u32 divisor.
    const terms = end + 4 <= bytes.byteLength ? gridTerms(scale, view.getUint32(end, true)) : undefined
    if (!terms) throw corrupt('grid column without a usable divisor')
    const column = new Column(kind, scale, count, bytes, view, table, exceptions, exceptionBytes, maxField)
    column.num = terms.num
    column.den = terms.den
    return column
  }
  if (kind !== TextColumnKind.integer)
    return new Column(kind, scale, count, bytes, view, table, exceptions, exceptionBytes, maxField)
  // After the exceptions: u8 prefix length, the prefix, u8 suffix length, the suffix.
  const prefixAt = end + 1
  const suffixAt = prefixAt + (bytes[end] ?? 0) + 1
  const suffixEnd = suffixAt + (bytes[suffixAt - 1] ?? 0)
  if (suffixAt > bytes.byteLength || suffixEnd > bytes.byteLength)
    throw corrupt('integer column too short for its prefix and suffix')
  const affixes = suffixEnd - prefixAt - 1
  const column = new Column(
    kind,
    0,
    count,
    bytes,
    view,
    table,
    exceptions,
    exceptionBytes,
    Math.max(maxField, MAX_INTEGER_TEXT + affixes),
  )
  column.prefix = bytes.subarray(prefixAt, suffixAt - 1)
  column.suffix = bytes.subarray(suffixAt, suffixEnd)
  return column
}

/**
 * The longest text a numeric field's value can give: ToString of a double is at most 25 characters
 * ("-0.0000012345678901234567": 17 digits after "-0.00000"; "-2.2250738585072014e-308" is 24), an int32
 * with scale <= 9 at most 12. Python's and Java's texts are shorter (exponents from 1e-4 and 1e-3 down).
 */
const MAX_NUMBER_TEXT = 25
/** "-9223372036854775808" */
const MAX_INTEGER_TEXT = 20
const NO_BYTES = new Uint8Array(0)

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
          at = writeFloat64(out, at, column, view.getFloat64(HEADER + row * 8, true))
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
      decimal ? writeDecimal(out, at, k, column.scale) : writeFloat64(out, at, column, value),
    )
  // Non-finite values are never written as values: such a slot is damage.
  const text = column.repr.repr(value)
  if (text === undefined) throw corrupt(`float64 value ${value} in a Python- or Java-style column`)
  return writeLatin1(out, at, text)
}

/**
 * ToString(value) at `at`. A column of full-precision doubles soon stops trying the short way first
 * (`tryShort` runs down on misses and back up on hits).
 */
function writeFloat64(out: Uint8Array, at: number, column: Column, value: number): number {
  const triedShort = column.tryShort > 0
  let end = triedShort ? writeShortFloat64(out, at, value) : -1
  if (end === -1) {
    column.tryShort--
    end = writeLongFloat64(out, at, value)
    // The 1 in 20 of a full-precision column with 15 digits or fewer (Tycho-2): still without String().
    if (end === -1 && !triedShort) end = writeShortFloat64(out, at, value)
    if (end === -1) end = writeLatin1(out, at, String(value))
  } else if (column.tryShort < 64) column.tryShort++
  return end
}
