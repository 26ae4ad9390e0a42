import { gridDigits, gridTerms, NULL_FIELDS, readDictionary, TextColumnKind } from '@astropack/format/layouts'
import { eachCsvRecord } from '@astropack/readers/csv-kinds'
import { BLOCK, type Metrics, Running } from './metrics.js'

/**
 * Quality metrics of a text table's column chunks (SPEC §7.2), by the accumulator of metrics.ts: numbers
 * stored binary are measured a block at a time, fields kept as text one by one.
 */

/** Where a chunk's binary values are read before they are measured. */
const block = new Float64Array(BLOCK)

/** Fields of a text table that mean "not a number" (as catalogs write them); NULL_FIELDS mean no value. */
const NAN_TEXT = new Set(['NaN', 'nan', 'NAN'])
const latin1 = new TextDecoder('latin1')

const FieldClass = { text: 0, null: 1, nan: 2, number: 3 } as const
type FieldClass = (typeof FieldClass)[keyof typeof FieldClass]

/** The value of the last field classifyField found a number (a module variable: no object per field). */
let fieldValue = 0

/**
 * What a field kept as text means: null, NaN, a number (Infinity counts with the NaNs there), or text.
 * Fields are read without the spaces that align them (VizieR's TSV) and the quotes around them.
 */
function classifyField(bytes: Uint8Array): FieldClass {
  let start = 0
  let end = bytes.byteLength
  while (bytes[start] === 32) start++
  while (end > start && bytes[end - 1] === 32) end--
  if (end - start >= 2 && bytes[start] === 34 && bytes[end - 1] === 34) {
    start++
    end--
  }
  if (end === start) return FieldClass.null
  // Text, without decoding it, unless its first byte may start a null word, a NaN or a number.
  const opening = FIRST_BYTES[bytes[start]!]!
  if (opening === 0 || (opening === 2 && end - start > 4)) return FieldClass.text
  const text = latin1.decode(bytes.subarray(start, end)).trim()
  if (NULL_FIELDS.has(text)) return FieldClass.null
  if (NAN_TEXT.has(text)) return FieldClass.nan
  const value = Number(text)
  if (Number.isNaN(value)) return FieldClass.text
  if (value - value !== 0) return FieldClass.nan
  fieldValue = value
  return FieldClass.number
}

/**
 * By a field's first byte: 0 text; 1 may be a number (a sign, a point, a digit, Infinity's I, or white space
 * that trim() drops); 2 may be a null word or NaN if it has at most 4 bytes (N, n).
 */
const FIRST_BYTES = Uint8Array.from({ length: 256 }, (_, byte) => {
  if (byte === 0x4e || byte === 0x6e) return 2
  const signOrPoint = byte === 0x2b || byte === 0x2d || byte === 0x2e
  const space = (byte >= 9 && byte <= 13) || byte === 0xa0
  return signOrPoint || space || (byte >= 0x30 && byte <= 0x39) || byte === 0x49 ? 1 : 0
})

/** Counts one field kept as text. */
function countField(running: Running, bytes: Uint8Array): void {
  countAs(running, classifyField(bytes), fieldValue)
}

/** Counts a field classifyField found to be `kind` (`value` when a number). */
function countAs(running: Running, kind: FieldClass, value: number): void {
  if (kind === FieldClass.null) running.out.nulls++
  else if (kind === FieldClass.nan) running.out.nans++
  else if (kind === FieldClass.number) running.number(value)
}

/**
 * Measures one column chunk of a text table (SPEC §7.2, as splitTextGroup wrote it): binary values are
 * numbers; a field kept as text is null, NaN, another number, or text (not counted). Undefined for a raw
 * group's chunks, whose fields only its records tell (measureTextRecords).
 */
export function measureTextColumn(chunk: Uint8Array, range?: 'ra' | 'dec'): Metrics | undefined {
  const kind = chunk[0]
  if (kind === 0 || chunk.byteLength < 8) return undefined
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  const count = view.getUint32(4, true)
  const running = new Running(range, count)
  if (kind === 1) {
    // Fields joined by newlines.
    let start = 8
    for (let at = chunk.indexOf(10, start); ; at = chunk.indexOf(10, start)) {
      const end = at === -1 ? chunk.byteLength : at
      countField(running, chunk.subarray(start, end))
      if (at === -1) break
      start = at + 1
    }
    return running.finish()
  }
  if (kind === TextColumnKind.dictionary) {
    // Each entry is classified once; rows are counted in their order (the sums depend on it).
    const entries = readDictionary(chunk, count)
    const kinds = new Uint8Array(entries.length)
    const values = new Float64Array(entries.length)
    entries.forEach((entry, e) => {
      kinds[e] = classifyField(entry)
      values[e] = fieldValue
    })
    for (let row = 0; row < count; row++) {
      const e = chunk[8 + row]!
      countAs(running, kinds[e]! as FieldClass, values[e]!)
    }
    return running.finish()
  }
  const integers = kind === TextColumnKind.integer
  const width = kind === 2 || integers ? 8 : 4
  const power = 10 ** chunk[1]!
  let table = 8 + count * width
  const exceptions = view.getUint32(table, true)
  table += 4
  let text = table + exceptions * 8
  // After the exceptions' bytes: integers' prefix and suffix (with either, they are names such as "HIP
  // 12", not numbers), a grid's divisor.
  let end = text
  for (let e = 0; e < exceptions; e++) end += view.getUint32(table + e * 8 + 4, true)
  const named = integers && (chunk[end] !== 0 || chunk[end + 1] !== 0)
  const grid = kind === TextColumnKind.grid ? gridTerms(chunk[1]!, view.getUint32(end, true)) : undefined
  let next = 0 // the next exception
  let filled = 0 // numbers in `block`, measured when it is full and at the end
  for (let row = 0; row < count; row++) {
    if (next < exceptions && view.getUint32(table + next * 8, true) === row) {
      const length = view.getUint32(table + next * 8 + 4, true)
      running.numbers(block, filled) // the numbers before it first: the sums keep the rows' order
      filled = 0
      countField(running, chunk.subarray(text, text + length))
      text += length
      next++
      continue
    }
    if (integers) {
      if (named) continue
      block[filled++] = view.getInt32(12 + row * 8, true) * 2 ** 32 + view.getUint32(8 + row * 8, true)
    } else if (grid) {
      const k = view.getInt32(8 + row * 4, true)
      block[filled++] = (Math.sign(k) * gridDigits(k, grid.num, grid.den)) / power
    } else
      block[filled++] =
        width === 8 ? view.getFloat64(8 + row * 8, true) : view.getInt32(8 + row * 4, true) / power
    if (filled === BLOCK) {
      running.numbers(block, filled)
      filled = 0
    }
  }
  running.numbers(block, filled)
  return running.finish()
}

/**
 * The records of a group kept whole (raw: a quoted field holding a line end, a blank line, a lone CR) as
 * the CSV reader reads them, and its columns' metrics, each field measured as a field kept as text is
 * (none when a record has another number of fields); undefined when the reader would refuse the group.
 */
export function measureTextRecords(
  group: Uint8Array,
  delimiter: number,
  ranges: readonly ('ra' | 'dec' | undefined)[],
): { records: number; metrics?: Metrics[] } | undefined {
  const running = ranges.map((range) => new Running(range, 0))
  let records = 0
  let ragged = false
  const read = eachCsvRecord(group, delimiter, (spans) => {
    records++
    ragged ||= spans.count !== running.length
    if (!ragged)
      running.forEach((column, c) => {
        column.out.count++
        countField(column, group.subarray(spans.starts[c]!, spans.ends[c]!))
      })
    return true
  })
  if (!read) return undefined
  return ragged ? { records } : { records, metrics: running.map((column) => column.finish()) }
}
