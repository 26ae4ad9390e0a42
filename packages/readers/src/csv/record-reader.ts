import type { ByteSource } from '../byte-source.js'
import { type CsvRow, csvError } from './errors.js'
import {
  CR,
  detectDelimiter,
  FieldSpans,
  LF,
  NEED_MORE,
  type RecordView,
  tokenizeRecord,
} from './tokenize.js'

/** What `read` found: a record in `spans`, nothing until `refill()`, or the end of the file. */
export const RECORD = 0
export const REFILL = 1
export const END = 2
export type ReadStatus = typeof RECORD | typeof REFILL | typeof END

const HASH = 0x23

export interface ReaderLimits {
  /** Bytes asked of the source per read. */
  sliceBytes: number
  /** The longest record (or comment line) accepted, in bytes. */
  maxRecordBytes: number
}

/**
 * Reads records from a ByteSource one slice at a time, holding only the current slice and a record cut by
 * its end. `read` is synchronous (no promise per record) and answers REFILL when the buffer holds no
 * complete record; the caller then awaits `refill()` and reads again. The cut record is tokenized again
 * after a refill, but each refill at least doubles the bytes held, so a record spanning many slices costs
 * linear time, and a record beyond maxRecordBytes stops the read with LIMIT_EXCEEDED.
 */
export class RecordReader implements RecordView {
  buffer: Uint8Array = new Uint8Array(0)
  /** File offset of buffer[0]. */
  bufferOffset: number
  /** The last record read, as buffer indices: its first byte and the byte after its line end. */
  recordStart = 0
  recordEnd = 0
  /** The record being read: 'header' or a data row from 1; advances after each record returned. */
  row: CsvRow
  readonly spans = new FieldSpans()
  #pos = 0
  #next: number
  #atEnd: boolean
  #returned = false
  #text: string | undefined

  constructor(
    readonly source: ByteSource,
    start: number,
    row: CsvRow,
    readonly limits: ReaderLimits,
  ) {
    this.bufferOffset = start
    this.#next = start
    this.#atEnd = start >= source.byteLength
    this.row = row
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.bufferOffset + this.#pos
  }

  read(delimiter: number, maxFields: number): ReadStatus {
    if (this.#returned) {
      this.#returned = false
      this.row = this.row === 'header' ? 1 : this.row + 1
    }
    for (;;) {
      if (this.#pos >= this.buffer.length) return this.#atEnd ? END : REFILL
      const next = tokenizeRecord(this.buffer, this.#pos, this.#atEnd, delimiter, this.spans, maxFields, this)
      if (next === NEED_MORE) return REFILL
      this.#checkLength(next)
      this.recordStart = this.#pos
      this.recordEnd = next
      this.#pos = next
      // Blank lines are no records (a one-column file must write an empty value as "").
      if (!this.spans.isBlank()) {
        this.#returned = true
        return RECORD
      }
    }
  }

  /** The delimiter the next line suggests (see detectDelimiter); undefined until a refill shows its end. */
  lineDelimiter(): number | undefined {
    const delimiter = detectDelimiter(this.buffer, this.#pos, this.#atEnd)
    if (delimiter !== NEED_MORE) return delimiter
    this.#checkLength(this.buffer.length)
    return undefined
  }

  /** Skips a UTF-8 byte order mark at the start of the file. */
  skipByteOrderMark(): void {
    const buf = this.buffer
    if (this.offset === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) this.#pos = 3
  }

  /** Skips `#` comment lines and blank lines; RECORD when the next line is neither. */
  skipPreamble(): ReadStatus {
    for (;;) {
      const buf = this.buffer
      const pos = this.#pos
      if (pos >= buf.length) return this.#atEnd ? END : REFILL
      const byte = buf[pos]
      if (byte === LF || byte === CR) {
        this.#pos++
        continue
      }
      if (byte !== HASH) return RECORD
      let end = pos + 1
      while (end < buf.length && buf[end] !== LF && buf[end] !== CR) end++
      this.#checkLength(end)
      if (end === buf.length && !this.#atEnd) return REFILL
      this.#pos = end
    }
  }

  async refill(): Promise<void> {
    if (this.#atEnd) return
    const { sliceBytes, maxRecordBytes } = this.limits
    const carried = this.buffer.length - this.#pos
    this.#checkLength(this.buffer.length)
    // Doubling what is held keeps re-tokenizing a long record linear; the cap keeps it near maxRecordBytes.
    const want = Math.max(sliceBytes, Math.min(carried, maxRecordBytes + 1 - carried))
    // The cut record is read again with the bytes after it, in one slice: copying it and the new bytes
    // into one buffer copied every byte of the file once more.
    const from = this.#next - carried
    const to = Math.min(this.source.byteLength, this.#next + want)
    const bytes = await this.source.slice(from, to)
    if (bytes.length !== to - from) {
      throw csvError('TRUNCATED', undefined, from, `the source gave ${bytes.length} bytes for ${to - from}`)
    }
    this.bufferOffset += this.#pos
    this.buffer = bytes
    this.#pos = 0
    this.#next = to
    this.#atEnd = to >= this.source.byteLength
    this.#text = undefined
  }

  /** The buffer as one Latin-1 string, made once per buffer: Number() and BigInt() need text. */
  text(): string {
    this.#text ??= latin1(this.buffer)
    return this.#text
  }

  #checkLength(end: number): void {
    if (end - this.#pos > this.limits.maxRecordBytes) {
      throw csvError(
        'LIMIT_EXCEEDED',
        this.row,
        this.offset,
        `a record longer than ${this.limits.maxRecordBytes} bytes (maxRecordBytes)`,
      )
    }
  }
}

const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer
const latin1Decoder = new TextDecoder('latin1')

/** One character per byte. Node's Buffer makes a one-byte string, which Number() parses fastest. */
function latin1(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  }
  return latin1Decoder.decode(bytes)
}

/** CSV_RAGGED for the reader's current record. */
export function raggedError(reader: RecordView, expected: number): Error {
  const found = reader.spans.count
  return csvError(
    'CSV_RAGGED',
    reader.row,
    reader.bufferOffset + reader.recordStart,
    `${found} field${found === 1 ? '' : 's'} where the first row has ${expected}`,
  )
}
