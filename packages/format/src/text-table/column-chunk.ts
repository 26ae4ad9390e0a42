import { corrupt, HEADER, NEWLINE, TextChunkFlag, TextColumnKind } from './chunk.js'
import { readDictionary } from './dictionary.js'
import { GridStyle, gridTerms } from './grid.js'
import { MAX_NUMBER_TEXT } from './numbers.js'
import { JAVA, NumberStyle, PYTHON, type ReprStyle } from './styles.js'

/** Column chunks of a text table read back and checked (SPEC §7.2): what joinTextGroup writes rows from. */

/** "-9223372036854775808" */
const MAX_INTEGER_TEXT = 20
const NO_BYTES = new Uint8Array(0)

/** How a column writes its values: its kind, and for float64 and decimal columns its number style. */
export const Mode = {
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
export class Column {
  /** Text: where the next field starts in `bytes`. */
  cursor = HEADER
  /** Float64: how many more values to try the short way first (see writeFloat64Text). */
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
export function readColumn(chunk: Uint8Array): Column {
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
