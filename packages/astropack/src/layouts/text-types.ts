import {
  type Column,
  concatBytes,
  GridStyle,
  gridDigits,
  joinTextGroup,
  Mode,
  readColumn,
  TextColumnKind,
} from '@astropack/format/layouts'
import {
  type CsvColumnType,
  columnType,
  csvFieldKinds,
  DEFAULT_NULL_VALUES,
  FieldClassifier,
  FLOAT,
  INT_HUGE,
  INT32,
  INT53,
  INT64,
  kindBit,
  lineFieldKinds,
  TEXT,
} from '@astropack/readers/csv-kinds'

/**
 * The field kinds (the readers' kindBit bits) of a text table's columns, from the chunks splitTextGroup
 * wrote: what the CSV or fixed-width reader would see in them, so the manifest can say the type export
 * will read each column as (the readers' columnType) without reading the text again.
 * - Fields kept as text (text and dictionary columns, exceptions) go through the reader's own tokenizer and
 *   classifier.
 * - Values stored binary are judged by how their kind writes them: an integer's text by its range, any
 *   text with a point or an exponent a float. Text around them (quotes, spaces) is tried on the reader
 *   once; if it changes what a number reads as, the column's text is rebuilt and read instead.
 */

/** How a table's fields are read back: tokenized as CSV with `delimiter`, or a field per position. */
export interface TextFieldReading {
  delimiter: number
  fixedWidth: boolean
}

const classifier = new FieldClassifier(DEFAULT_NULL_VALUES, false)
const TEXT_BIT = kindBit(TEXT)
const FLOAT_BIT = kindBit(FLOAT)
const INT32_BIT = kindBit(INT32)
const INT53_BIT = kindBit(INT53)
const INT64_BIT = kindBit(INT64)
const HUGE_BIT = kindBit(INT_HUGE)
const LINE_END = Uint8Array.of(10)
const SPACE = Uint8Array.of(32)
const NO_BYTES = new Uint8Array(0)
const HEADER = 8
const encoder = new TextEncoder()

/**
 * The kinds of each column of a group (its chunks as splitTextGroup wrote them, before predictions and
 * ranks), or undefined when the reader would refuse the group (a ragged line, an open quote) or a
 * fixed-width group was kept whole.
 */
export function textGroupKinds(
  chunks: readonly Uint8Array[],
  group: Uint8Array,
  reading: TextFieldReading,
): Uint16Array | undefined {
  if (chunks[0]?.[0] === TextColumnKind.raw)
    return reading.fixedWidth ? undefined : csvFieldKinds(group, reading.delimiter, chunks.length, classifier)
  const kinds = new Uint16Array(chunks.length)
  for (let c = 0; c < chunks.length; c++) {
    const kind = columnKinds(chunks[c]!, reading)
    if (kind === undefined) return undefined
    kinds[c] = kind
  }
  return kinds
}

/**
 * A table's column types as its reader infers them, from its groups' kinds merged in any order (undefined
 * once the reader would refuse a group), and from a last line without a newline, which packing stores as
 * plain bytes.
 */
export class TextTableKinds {
  #kinds: Uint16Array | undefined

  constructor(
    columnCount: number,
    readonly reading: TextFieldReading,
  ) {
    this.#kinds = new Uint16Array(columnCount)
  }

  add(group: Uint16Array | undefined): void {
    if (!group || !this.#kinds) this.#kinds = undefined
    else for (let c = 0; c < group.length; c++) this.#kinds[c]! |= group[c]!
  }

  /**
   * The bytes after the table's last newline, which the CSV reader reads as a row; the fixed-width reader
   * takes no line without a newline into its table.
   */
  addTail(tail: Uint8Array): void {
    if (tail.byteLength === 0 || !this.#kinds || this.reading.fixedWidth) return
    this.add(csvFieldKinds(tail, this.reading.delimiter, this.#kinds.length, classifier))
  }

  /** The rows after some were not classified (a line too long for a group). */
  lose(): void {
    this.#kinds = undefined
  }

  types(): CsvColumnType[] | undefined {
    return this.#kinds && Array.from(this.#kinds, columnType)
  }
}

/** The kinds of fields written one to a line, as the table's reader reads them; undefined if it would refuse one. */
function lineKinds(lines: Uint8Array, reading: TextFieldReading): number | undefined {
  if (reading.fixedWidth) return lineFieldKinds(lines, classifier)
  return csvFieldKinds(lines, reading.delimiter, 1, classifier)?.[0]
}

const joinLines = (fields: readonly Uint8Array[]) => concatBytes(fields.flatMap((field) => [field, LINE_END]))

function columnKinds(chunk: Uint8Array, reading: TextFieldReading): number | undefined {
  const column = readColumn(chunk)
  if (column.kind === TextColumnKind.text) return lineKinds(chunk.subarray(HEADER), reading)
  if (column.kind === TextColumnKind.dictionary) return lineKinds(joinLines(column.entries), reading)
  const { view, table, exceptions, exceptionBytes } = column
  const fields: Uint8Array[] = []
  for (let e = 0, at = exceptionBytes; e < exceptions; e++) {
    const length = view.getUint32(table + e * 8 + 4, true)
    fields.push(chunk.subarray(at, at + length))
    at += length
  }
  const kept = fields.length > 0 ? lineKinds(joinLines(fields), reading) : 0
  if (kept === undefined || kept & TEXT_BIT) return kept
  if (!numbersReadPlainly(column, reading)) {
    const all = lineKinds(joinTextGroup([chunk], reading.delimiter), reading)
    return all === undefined ? undefined : kept | all
  }
  return kept | valueKinds(column)
}

/**
 * Whether the column's values read as the numbers alone would: no text around them, or text (quotes,
 * spaces, an ID's prefix) that leaves an integer an integer of its range and a decimal a float, padded
 * or not.
 */
function numbersReadPlainly(column: Column, reading: TextFieldReading): boolean {
  const { prefix, suffix } = column
  if (prefix.byteLength === 0 && suffix.byteLength === 0) return true
  for (const lead of column.pad > 0 ? [NO_BYTES, SPACE] : [NO_BYTES]) {
    const kind = (number: string) =>
      lineKinds(concatBytes([lead, prefix, encoder.encode(number), suffix]), reading)
    if (kind('1') !== INT32_BIT || kind('-1') !== INT32_BIT || kind('1.5') !== FLOAT_BIT) return false
  }
  return true
}

/** The kind of an integer's text by its range, as the reader's classifier sorts integers. */
function integerKind(value: number): number {
  if (value >= -2147483648 && value <= 2147483647) return INT32_BIT
  if (Math.abs(value) <= 2 ** 53) return INT53_BIT
  // ToString's digits of a double near ±2^63 are rounded (9223372036854775808 is written ...776000).
  return value < 2 ** 63 && value > -(2 ** 63) ? INT64_BIT : HUGE_BIT
}

/** The kind of an int64's text (high word signed), exactly: doubles round near 2^53 and 2^63. */
function int64Kind(high: number, low: number): number {
  if ((high === 0 && low <= 0x7fffffff) || (high === -1 && low >= 0x80000000)) return INT32_BIT
  const fits53 = high >= 0 ? high < 2 ** 21 || (high === 2 ** 21 && low === 0) : high >= -(2 ** 21)
  return fits53 ? INT53_BIT : INT64_BIT
}

/** The kinds of the values a numeric column stores (its exceptions aside), by how its mode writes them. */
function valueKinds(column: Column): number {
  const { view, count, table, exceptions, scale, mode } = column
  if (count === exceptions) return 0
  if (mode === Mode.reprFloat64 || mode === Mode.reprDecimal) return FLOAT_BIT // `12.0`, `1e-05`, `1.0E7`
  if (mode === Mode.fixed) return scale === 0 ? INT32_BIT : FLOAT_BIT
  if (mode === Mode.grid && column.bytes[3] !== GridStyle.plain) return FLOAT_BIT // `12.0`, `12.50`
  let kinds = 0
  let next = exceptions > 0 ? view.getUint32(table, true) : count
  let e = 0
  const power = 10 ** scale
  for (let row = 0; row < count; row++) {
    if (row === next) {
      e++
      next = e < exceptions ? view.getUint32(table + e * 8, true) : count
      continue
    }
    if (mode === Mode.float64) {
      // ToString: plain digits for integers below 1e21, else a point or an exponent.
      const value = view.getFloat64(HEADER + row * 8, true)
      kinds |= Number.isInteger(value) && Math.abs(value) < 1e21 ? integerKind(value) : FLOAT_BIT
    } else if (mode === Mode.decimal) {
      // ToString(k / 10^scale): an int32 k that 10^scale divides is written as a (small) integer.
      kinds |= view.getInt32(HEADER + row * 4, true) % power === 0 ? INT32_BIT : FLOAT_BIT
    } else if (mode === Mode.grid) {
      const k = view.getInt32(HEADER + row * 4, true)
      const digits = gridDigits(k, column.num, column.den)
      kinds |= digits % power === 0 ? integerKind((k < 0 ? -digits : digits) / power) : FLOAT_BIT
    } else {
      kinds |= int64Kind(view.getInt32(HEADER + row * 8 + 4, true), view.getUint32(HEADER + row * 8, true))
    }
  }
  return kinds
}
