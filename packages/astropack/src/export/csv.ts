import { type ByteSink, MAX_NUMBER_TEXT, type ShortFirst, writeFloat64Text } from '@astropack/format'
import { type Data, DataType, Precision, type RecordBatch, type Schema } from 'apache-arrow'

/**
 * CSV as spreadsheets and DuckDB read it: a header row, one line per row, `\n` line ends. Numbers are the
 * shortest text that reads back to the same value (float32 columns: the same float32), integers of 64
 * bits exact, nulls empty, strings quoted when they hold a comma, quote, line break or nothing. Vector
 * and array cells are one quoted list, `[1.5, 2, NaN]`, which DuckDB casts to a list
 * (`col::DOUBLE[]`) and which is JSON when every number is finite.
 */

/** Bytes go to the file in pieces of about this size. */
const FLUSH_BYTES = 1 << 20
const COMMA = 44
const QUOTE = 34
const NEWLINE = 10
const utf8 = new TextDecoder()

/** Formats the value of one row of a column; `undefined` for a null. */
type Format = (row: number) => string | undefined

/** Writes the cell of one row of a column (nothing for a null) into `out`. */
type WriteCell = (out: CsvBytes, row: number) => void

export async function writeCsv(
  schema: Schema,
  batches: AsyncIterable<RecordBatch>,
  sink: ByteSink,
): Promise<void> {
  const out = new CsvBytes()
  out.text(`${schema.fields.map((field) => csvCell(field.name)).join(',')}\n`)
  for await (const batch of batches) {
    const cells = batch.data.children.map(cellWriter)
    // Room for a row of numbers and its commas; a longer cell (text, lists) makes room for itself.
    const rowBytes = cells.length * (MAX_NUMBER_TEXT + 1) + 1
    for (let row = 0; row < batch.numRows; row++) {
      out.reserve(rowBytes)
      for (let c = 0; c < cells.length; c++) {
        if (c > 0) out.bytes[out.at++] = COMMA
        cells[c]!(out, row)
      }
      out.bytes[out.at++] = NEWLINE
      if (out.at >= FLUSH_BYTES) await sink.write(out.take())
    }
  }
  await sink.write(out.take())
}

/** The text being written, as UTF-8 bytes: numbers and strings go in without JavaScript strings. */
class CsvBytes {
  bytes = new Uint8Array(FLUSH_BYTES * 2)
  at = 0
  readonly #encoder = new TextEncoder()

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.at + n <= this.bytes.byteLength) return
    const grown = new Uint8Array(Math.max(this.bytes.byteLength * 2, this.at + n))
    grown.set(this.bytes.subarray(0, this.at))
    this.bytes = grown
  }

  text(text: string): void {
    this.reserve(text.length * 3)
    this.at += this.#encoder.encodeInto(text, this.bytes.subarray(this.at)).written
  }

  /**
   * The bytes so far; writing starts over in the same buffer once the sink has them (ByteSink: a sink
   * copies what it keeps). A new buffer each time was new memory to fill, a MiB at a time.
   */
  take(): Uint8Array {
    const taken = this.bytes.subarray(0, this.at)
    this.at = 0
    return taken
  }
}

/** The cell of a column at a row: nothing for a null, else its value (see valueWriter). */
function cellWriter(data: Data): WriteCell {
  const write = valueWriter(data)
  if (data.nullCount === 0) return write
  return (out, row) => {
    if (data.getValid(row)) write(out, row)
  }
}

/** Doubles and 32-bit integers as bytes, UTF-8 strings copied; other columns through their text. */
function valueWriter(data: Data): WriteCell {
  const { type, offset } = data
  if (DataType.isFloat(type) && type.precision === Precision.DOUBLE) {
    const values = data.values as Float64Array
    const hint: ShortFirst = { tryShort: 32 }
    return (out, row) => {
      const value = values[offset + row]!
      if (Object.is(value, -0)) out.text('-0')
      else out.at = writeFloat64Text(out.bytes, out.at, value, hint)
    }
  }
  if (DataType.isInt(type) && type.bitWidth <= 32) {
    // ToString of an integer below 2^32 is its digits, which the double writer gives without String().
    const values = data.values as ArrayLike<number>
    const hint: ShortFirst = { tryShort: 64 }
    return (out, row) => {
      out.at = writeFloat64Text(out.bytes, out.at, values[offset + row]!, hint)
    }
  }
  if (DataType.isUtf8(type)) {
    const bytes = data.values as Uint8Array
    const offsets = data.valueOffsets as Int32Array
    return (out, row) => writeUtf8Cell(out, bytes.subarray(offsets[offset + row], offsets[offset + row + 1]))
  }
  const format = formatter(data)
  if (isList(type)) return (out, row) => out.text(quoteUnlessNull(format(row)))
  return (out, row) => out.text(format(row) ?? '')
}

/**
 * A string as one CSV cell (see csvCell): ASCII copied as it is, or quoted; other text through a string,
 * so that bytes that are not UTF-8 come out as U+FFFD as they always have.
 */
function writeUtf8Cell(out: CsvBytes, text: Uint8Array): void {
  let plain = text.byteLength > 0
  for (let i = 0; i < text.byteLength; i++) {
    const byte = text[i]!
    if (byte > 0x7f) {
      out.text(csvCell(utf8.decode(text)))
      return
    }
    if (byte === COMMA || byte === QUOTE || byte === NEWLINE || byte === 13) plain = false
  }
  if (plain) {
    out.reserve(text.byteLength)
    out.bytes.set(text, out.at)
    out.at += text.byteLength
    return
  }
  out.reserve(2 * text.byteLength + 2)
  const bytes = out.bytes
  let at = out.at
  bytes[at++] = QUOTE
  for (let i = 0; i < text.byteLength; i++) {
    if (text[i] === QUOTE) bytes[at++] = QUOTE
    bytes[at++] = text[i]!
  }
  bytes[at++] = QUOTE
  out.at = at
}

function isList(type: DataType): boolean {
  return DataType.isFixedSizeList(type) || DataType.isList(type)
}

/**
 * The text of a column valueWriter does not write itself (float32, 64-bit integers, booleans, lists), or of
 * a list's items: strings come here only as items, and come out as JSON strings.
 */
function formatter(data: Data): Format {
  const format = valueFormatter(data)
  if (data.nullCount === 0) return format
  return (row) => (data.getValid(row) ? format(row) : undefined)
}

function valueFormatter(data: Data): Format {
  const { type, offset } = data
  const values = data.values as ArrayLike<number | bigint>
  if (DataType.isFloat(type) && type.precision !== Precision.HALF) {
    const text = type.precision === Precision.SINGLE ? float32Text : float64Text
    return (row) => text(values[offset + row] as number)
  }
  if (DataType.isInt(type)) return (row) => String(values[offset + row])
  if (DataType.isBool(type)) {
    const bits = data.values as Uint8Array
    return (row) => (((bits[(offset + row) >> 3]! >> ((offset + row) & 7)) & 1) === 1 ? 'true' : 'false')
  }
  if (DataType.isUtf8(type)) {
    const decoder = new TextDecoder()
    const bytes = data.values as Uint8Array
    const offsets = data.valueOffsets as Int32Array
    return (row) =>
      JSON.stringify(decoder.decode(bytes.subarray(offsets[offset + row], offsets[offset + row + 1])))
  }
  if (DataType.isFixedSizeList(type)) {
    const size = type.listSize
    return listFormatter(data.children[0]!, (row) => [(offset + row) * size, (offset + row + 1) * size])
  }
  if (DataType.isList(type)) {
    const offsets = data.valueOffsets as Int32Array
    return listFormatter(data.children[0]!, (row) => [offsets[offset + row]!, offsets[offset + row + 1]!])
  }
  throw new TypeError(`CSV export has no text for Arrow type ${type}`)
}

/** `[a, b, c]`: the items of the list at `row`, null items as `null`. */
function listFormatter(items: Data, range: (row: number) => [number, number]): Format {
  const item = formatter(items)
  return (row) => {
    const [from, to] = range(row)
    let text = '['
    for (let i = from; i < to; i++) text += `${i === from ? '' : ', '}${item(i) ?? 'null'}`
    return `${text}]`
  }
}

/** The text as one CSV cell: quoted (quotes doubled) when it holds a separator, quote or line break. */
export function csvCell(text: string): string {
  // An empty string is quoted so that it differs from a null (an empty cell).
  return text === '' || /[",\r\n]/.test(text) ? quote(text) : text
}

function quoteUnlessNull(text: string | undefined): string {
  return text === undefined ? '' : quote(text)
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`
}

/** The shortest text that reads back as the same double (JavaScript's own); `-0` keeps its sign. */
export function float64Text(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value)
}

/**
 * The shortest text that reads back as the same float32, as numpy and astropy print them: 0.1, not the
 * 0.100000001490116 a double conversion would print. Every float32 is told apart by 9 digits; when 6
 * suffice, `toPrecision(6)` with its trailing zeros dropped is the shortest text.
 */
export function float32Text(value: number): string {
  if (!Number.isFinite(value) || value === 0) return float64Text(value)
  for (let digits = 6; digits < 9; digits++) {
    const text = Number(value.toPrecision(digits))
    if (Math.fround(text) === value) return String(text)
  }
  return String(Number(value.toPrecision(9)))
}
