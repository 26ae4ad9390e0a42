import { type CsvRow, csvError, showBytes } from './errors.js'

export const QUOTE = 0x22
export const LF = 0x0a
export const CR = 0x0d
export const COMMA = 0x2c
export const TAB = 0x09
export const BAR = 0x7c
export const SPACE = 0x20

/** tokenizeRecord's answer when the buffer ends before the record does and more bytes may follow. */
export const NEED_MORE = -1

/** Fields of quoted text: no quotes, quoted, or quoted with doubled quotes inside (to unescape). */
export const PLAIN = 0
export const QUOTED = 1
export const ESCAPED = 2

/**
 * The fields of one record as byte ranges of the buffer (between the quotes when quoted), reused from
 * record to record so tokenizing allocates nothing.
 */
export class FieldSpans {
  count = 0
  starts = new Int32Array(64)
  ends = new Int32Array(64)
  quoting = new Uint8Array(64)

  grow(): void {
    const size = this.starts.length * 2
    const starts = new Int32Array(size)
    const ends = new Int32Array(size)
    const quoting = new Uint8Array(size)
    starts.set(this.starts)
    ends.set(this.ends)
    quoting.set(this.quoting)
    this.starts = starts
    this.ends = ends
    this.quoting = quoting
  }

  /** An empty line: one empty unquoted field. */
  isBlank(): boolean {
    return this.count === 1 && this.quoting[0] === PLAIN && this.starts[0] === this.ends[0]
  }
}

/** Where the buffer sits in the file and which record is being read, for error messages. */
export interface RecordPlace {
  readonly bufferOffset: number
  readonly row: CsvRow
}

/** A record as the column builders take it: its fields as spans of `buffer`, and where it lies. */
export interface RecordView extends RecordPlace {
  readonly buffer: Uint8Array
  readonly spans: FieldSpans
  readonly recordStart: number
  readonly recordEnd: number
  /** The buffer as one Latin-1 string (Number() and BigInt() need text), made once per buffer. */
  text(): string
}

/**
 * Splits the record starting at `pos` into `spans` (RFC 4180: quoted fields may hold delimiters, line ends
 * and doubled quotes; a quote inside an unquoted field is an ordinary character). Returns the position after
 * the record's line end (LF, CRLF or CR), or NEED_MORE. With `atEnd`, the buffer's end ends the record.
 */
export function tokenizeRecord(
  buf: Uint8Array,
  pos: number,
  atEnd: boolean,
  delimiter: number,
  spans: FieldSpans,
  maxFields: number,
  place: RecordPlace,
): number {
  const end = buf.length
  let count = 0
  let i = pos
  for (;;) {
    if (count === maxFields) throw tooManyFields(place, pos, i, maxFields)
    if (count === spans.starts.length) spans.grow()
    if (i < end && buf[i] === QUOTE) {
      const open = i
      let quoting = QUOTED
      let close = i + 1
      for (;;) {
        // indexOf is a native scan, so long quoted fields cost no more than short ones per byte.
        close = buf.indexOf(QUOTE, close)
        if (close === -1) {
          if (!atEnd) return NEED_MORE
          throw csvError('UNTERMINATED_QUOTE', place.row, place.bufferOffset + open, 'quote never closed')
        }
        if (close + 1 === end) {
          if (!atEnd) return NEED_MORE // the next byte may be a second quote
          break
        }
        if (buf[close + 1] !== QUOTE) break
        quoting = ESCAPED
        close += 2
      }
      spans.starts[count] = open + 1
      spans.ends[count] = close
      spans.quoting[count] = quoting
      count++
      i = close + 1
      if (i === end) break
      const byte = buf[i]!
      if (byte === delimiter) {
        i++
        continue
      }
      if (byte !== LF && byte !== CR) {
        const text = showBytes(buf.subarray(i, Math.min(end, i + 20)))
        throw csvError(
          'UNTERMINATED_QUOTE',
          place.row,
          place.bufferOffset + i,
          `quoted field opened at byte ${place.bufferOffset + open} is followed by ${text}, not a delimiter or line end`,
        )
      }
    } else {
      const start = i
      while (i < end) {
        const byte = buf[i]!
        if (byte === delimiter || byte === LF || byte === CR) break
        i++
      }
      spans.starts[count] = start
      spans.ends[count] = i
      spans.quoting[count] = PLAIN
      count++
      if (i === end) {
        if (!atEnd) return NEED_MORE
        break
      }
      if (buf[i] === delimiter) {
        i++
        continue
      }
    }
    // At a line end.
    spans.count = count
    if (buf[i] === LF) return i + 1
    if (i + 1 < end) return buf[i + 1] === LF ? i + 2 : i + 1
    return atEnd ? i + 1 : NEED_MORE
  }
  spans.count = count
  return end
}

function tooManyFields(place: RecordPlace, start: number, at: number, maxFields: number): Error {
  const offset = place.bufferOffset + at
  if (place.row === 'header') {
    return csvError('LIMIT_EXCEEDED', place.row, offset, `more than ${maxFields} columns`)
  }
  return csvError(
    'CSV_RAGGED',
    place.row,
    place.bufferOffset + start,
    `more than the ${maxFields} fields of the first row (field ${maxFields + 1} at byte ${offset})`,
  )
}

/**
 * Picks the delimiter of the line at `pos`: tab when it has more tabs than commas outside quotes, else comma.
 * The first line end stops the count even inside quotes, so a stray quote cannot make it read on.
 * Returns NEED_MORE when the line does not end inside the buffer and more bytes may follow.
 */
export function detectDelimiter(buf: Uint8Array, pos: number, atEnd: boolean): number {
  let commas = 0
  let tabs = 0
  let quoted = false
  for (let i = pos; i < buf.length; i++) {
    const byte = buf[i]!
    if (byte === LF || byte === CR) return tabs > commas ? TAB : COMMA
    if (byte === QUOTE) quoted = !quoted
    else if (quoted) continue
    else if (byte === COMMA) commas++
    else if (byte === TAB) tabs++
  }
  if (!atEnd) return NEED_MORE
  return tabs > commas ? TAB : COMMA
}
