import type { ByteSink } from '@astropack/format'
import { type Data, DataType, Precision, type RecordBatch, type Schema } from 'apache-arrow'

/**
 * CSV as spreadsheets and DuckDB read it: a header row, one line per row, `\n` line ends. Numbers are the
 * shortest text that reads back to the same value (float32 columns: the same float32), integers of 64
 * bits exact, nulls empty, strings quoted when they hold a comma, quote, line break or nothing. Vector
 * and array cells are one quoted list, `[1.5, 2, NaN]`, which DuckDB casts to a list
 * (`col::DOUBLE[]`) and which is JSON when every number is finite.
 */

/** Text goes to the file in pieces of about this many characters: larger pieces leave more garbage. */
const FLUSH_CHARS = 1 << 16

/** Formats the value of one row of a column; `undefined` for a null. */
type Format = (row: number) => string | undefined

export async function writeCsv(
  schema: Schema,
  batches: AsyncIterable<RecordBatch>,
  sink: ByteSink,
): Promise<void> {
  const encoder = new TextEncoder()
  let text = `${schema.fields.map((field) => csvCell(field.name)).join(',')}\n`
  for await (const batch of batches) {
    const formats = batch.data.children.map((column): ((row: number) => string) => {
      const format = formatter(column)
      if (isList(column.type)) return (row) => quoteUnlessNull(format(row))
      return (row) => format(row) ?? ''
    })
    for (let row = 0; row < batch.numRows; row++) {
      let line = formats[0]?.(row) ?? ''
      for (let c = 1; c < formats.length; c++) line += `,${formats[c]!(row)}`
      text += `${line}\n`
      if (text.length >= FLUSH_CHARS) {
        await sink.write(encoder.encode(text))
        text = ''
      }
    }
  }
  await sink.write(encoder.encode(text))
}

function isList(type: DataType): boolean {
  return DataType.isFixedSizeList(type) || DataType.isList(type)
}

/** A formatter for a column (or the items of a list); strings come out quoted as CSV cells. */
function formatter(data: Data, inList = false): Format {
  const format = valueFormatter(data, inList)
  if (data.nullCount === 0) return format
  return (row) => (data.getValid(row) ? format(row) : undefined)
}

function valueFormatter(data: Data, inList: boolean): Format {
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
    return (row) => {
      const value = decoder.decode(bytes.subarray(offsets[offset + row], offsets[offset + row + 1]))
      return inList ? JSON.stringify(value) : csvCell(value)
    }
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
  const item = formatter(items, true)
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
