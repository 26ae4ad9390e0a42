import { AstropackError } from '@astropack/codecs'
import { Field, type RecordBatch, Schema } from 'apache-arrow'
import type { ByteSource } from '../byte-source.js'
import { arrowType } from '../csv/arrow-type.js'
import { BatchBuilder } from '../csv/builders.js'
import { FieldClassifier } from '../csv/classify.js'
import { showBytes } from '../csv/errors.js'
import type { CsvColumn } from '../csv/infer.js'
import { readerLimits } from '../csv/scan.js'
import { FieldSpans, PLAIN, type RecordView } from '../csv/tokenize.js'
import type { FixedWidthField } from './layout.js'
import {
  type FixedWidthOptions,
  type FixedWidthScan,
  fixedWidthError,
  scanFixedWidth,
  tableLineEnd,
  wholeLines,
} from './scan.js'

export interface FixedWidthArrowOptions extends FixedWidthOptions {
  /** Rows per RecordBatch (default 65 536); a batch ends early once its rows span 32 MiB of text. */
  batchRows?: number
  /** A scan of this source from scanFixedWidth, to skip the first pass. */
  scan?: FixedWidthScan
}

const DEFAULT_BATCH_ROWS = 65_536
const MAX_BATCH_BYTES = 32 * 1024 * 1024
const LF = 0x0a
const SPACE = 0x20
const latin1 = new TextDecoder('latin1')

/**
 * The Arrow schema of a scanned table: every column nullable; each field's bytes in its metadata, counted
 * from 1 and inclusive as CDS ReadMe files give them (`fixed-width.bytes`: `21-30`; the last open, `145-`).
 */
export function fixedWidthArrowSchema(scan: FixedWidthScan): Schema {
  const last = scan.fields.length - 1
  const fields = scan.columns.map((column, c) => {
    const { start, end } = scan.fields[c]!
    const bytes = `${start + 1}-${c === last ? '' : end}`
    return new Field(column.name, arrowType(column.type), true, new Map([['fixed-width.bytes', bytes]]))
  })
  return new Schema(fields)
}

/**
 * Streams a fixed-width table as Arrow RecordBatches, holding one slice of the file and one batch at a time.
 * Without `options.scan` it first runs scanFixedWidth (over every line, so the types are final before the
 * first batch). Each field is cut at its byte positions and trimmed of spaces; blank fields are nulls.
 * Only the table's lines are read ([dataStart, dataEnd) of the scan): a footer or a line cut short ends
 * the table, as in the scan. The columns are built as the CSV reader builds its own.
 */
export async function* readFixedWidthBatches(
  source: ByteSource,
  options: FixedWidthArrowOptions = {},
): AsyncGenerator<RecordBatch, void, undefined> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) {
    throw new AstropackError('USAGE', `batchRows must be a positive integer, not ${batchRows}`)
  }
  const scan = options.scan ?? (await scanFixedWidth(source, options))
  const schema = fixedWidthArrowSchema(scan)
  const record = new LineRecord(scan.fields)
  const batch = new BatchBuilder(scan.columns, {
    classifier: new FieldClassifier(scan.nullValues),
    reader: record,
    mismatch: (column, field) => mismatch(record, column, field),
  })
  for await (const { bytes, offset } of wholeLines(
    source,
    scan.dataStart,
    scan.dataEnd,
    readerLimits(options),
  )) {
    record.moveTo(bytes, offset)
    for (let line = 0; line < bytes.length; ) {
      const newline = bytes.indexOf(LF, line)
      const end = tableLineEnd(bytes, line, newline, scan)
      // The scan saw only lines of the table here, and counted them.
      if (end === -1 || record.row >= scan.rowCount) throw notScanned(record.row + 1, offset + line)
      record.take(line, end, newline + 1)
      // The scan checked every field's text: nothing to check again.
      batch.add(false)
      line = newline + 1
      if (batch.rows === batchRows || batch.bytes >= MAX_BATCH_BYTES) yield batch.finish(schema)
    }
  }
  if (record.row !== scan.rowCount) throw notScanned(record.row + 1, scan.dataEnd)
  if (batch.rows > 0) yield batch.finish(schema)
}

/**
 * One line of the table as the CSV reader's record: each field's bytes without the spaces around them
 * (they align the columns; they are not data).
 */
class LineRecord implements RecordView {
  buffer: Uint8Array = new Uint8Array(0)
  bufferOffset = 0
  /** The data row, from 1 (0 before the first). */
  row = 0
  recordStart = 0
  recordEnd = 0
  readonly spans = new FieldSpans()
  #text: string | undefined

  constructor(readonly fields: readonly FixedWidthField[]) {
    while (this.spans.starts.length < fields.length) this.spans.grow()
    this.spans.count = fields.length
    this.spans.quoting.fill(PLAIN)
  }

  /** The next run of whole lines, at `offset` in the file. */
  moveTo(bytes: Uint8Array, offset: number): void {
    this.buffer = bytes
    this.bufferOffset = offset
    this.#text = undefined
  }

  /** The line at `line`, its content ending at `end` and the next line starting at `next`. */
  take(line: number, end: number, next: number): void {
    const { buffer, fields, spans } = this
    const last = fields.length - 1
    for (let c = 0; c <= last; c++) {
      let start = line + fields[c]!.start
      let stop = c === last ? end : line + fields[c]!.end
      while (start < stop && buffer[start] === SPACE) start++
      while (stop > start && buffer[stop - 1] === SPACE) stop--
      spans.starts[c] = start
      spans.ends[c] = stop
    }
    this.recordStart = line
    this.recordEnd = next
    this.row++
  }

  text(): string {
    this.#text ??= latin1.decode(this.buffer)
    return this.#text
  }
}

/** A field that does not fit the scanned type: the scan was of other bytes. */
function mismatch(record: LineRecord, column: CsvColumn, field: Uint8Array): Error {
  return fixedWidthError(
    'CSV_TYPE_MISMATCH',
    record.row,
    record.bufferOffset + record.recordStart,
    `${showBytes(field)} does not fit column '${column.name}' scanned as ${column.type}: a scan of another source?`,
  )
}

function notScanned(row: number, offset: number): Error {
  return fixedWidthError(
    'CORRUPT_CHUNK',
    row,
    offset,
    'not the lines the scan saw: a scan of another source?',
  )
}
