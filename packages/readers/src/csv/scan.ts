import { AstropackError } from '@astropack/codecs'
import type { ByteSource } from '../byte-source.js'
import { BOOL, checkText, DEFAULT_NULL_VALUES, FieldClassifier, NAN_NULL, NULL, TEXT } from './classify.js'
import { type CsvColumn, columnType, kindBit } from './infer.js'
import { uniqueNames } from './names.js'
import {
  END,
  RECORD,
  REFILL,
  type ReaderLimits,
  type ReadStatus,
  RecordReader,
  raggedError,
} from './record-reader.js'
import { BAR, COMMA, ESCAPED, SPACE, TAB } from './tokenize.js'

export interface CsvOptions {
  /** ',' or '\t' (by default the one the first line holds more of, outside quotes); '|' or ' ' when given. */
  delimiter?: CsvDelimiter
  /** true: the first row names the columns; false: they are col1..colN; 'auto' (default): a header
   * unless every field of the first row is a number. */
  header?: boolean | 'auto'
  /** Spellings of a missing value (compared after trimming blanks). Default: '', null, NULL, NaN, nan, --, N/A. */
  nullValues?: readonly string[]
  /** Data rows the column types are inferred from (then on until every column has shown a value).
   * Default Infinity: a first pass over the whole file. */
  inferRows?: number
  /**
   * Where the data rows start, when the caller knows (a packer found the header, a units line, a rule):
   * read from there, with no header line. Needs `delimiter`.
   */
  dataStart?: number
  /** The columns' names when no header line names them (default col1..colN); as many as the rows have fields. */
  names?: readonly string[]
  /** Bytes read from the source at a time. Default 4 MiB. */
  sliceBytes?: number
  /** The longest record accepted (LIMIT_EXCEEDED beyond). Default 64 MiB. */
  maxRecordBytes?: number
}

/** Field separators: comma, tab, and the bar and single space of astropy's ASCII tables. */
export type CsvDelimiter = ',' | '\t' | '|' | ' '

/** What a first pass learnt of a delimited text table; reading it again needs nothing else. */
export interface CsvScan {
  delimiter: CsvDelimiter
  header: boolean
  columns: CsvColumn[]
  /** Byte offset of the first data row: after a byte order mark, `#` comment lines and the header. */
  dataStart: number
  /** Data rows the types were inferred from. */
  rowsScanned: number
  /** Every data row, when the scan read to the end of the file; undefined after a sample. */
  rowCount: number | undefined
  /** The null spellings the types were inferred with; reading uses the same. */
  nullValues: readonly string[]
}

/** More columns than this is taken for garbage (LIMIT_EXCEEDED), before any per-column state is made. */
export const MAX_COLUMNS = 100_000

const TEXT_BIT = kindBit(TEXT)
const NULL_BIT = kindBit(NULL)

/**
 * Finds the layout of a CSV or TSV file and infers each column's type from its rows (all of them unless
 * `inferRows` says fewer). Malformed rows fail here, before any batch is made.
 */
export async function scanCsv(source: ByteSource, options: CsvOptions = {}): Promise<CsvScan> {
  const inferRows = options.inferRows ?? Number.POSITIVE_INFINITY
  if (!(inferRows >= 0) || (Number.isFinite(inferRows) && !Number.isSafeInteger(inferRows))) {
    throw new AstropackError('USAGE', `inferRows must be a whole number or Infinity, not ${inferRows}`)
  }
  const nullValues = options.nullValues ?? DEFAULT_NULL_VALUES
  const classifier = new FieldClassifier(nullValues, false)
  const known = options.dataStart
  if (known !== undefined && (options.delimiter === undefined || !Number.isSafeInteger(known) || known < 0))
    throw new AstropackError('USAGE', 'dataStart needs a delimiter and must be a byte offset')
  const reader = new RecordReader(
    source,
    known ?? 0,
    known === undefined ? 'header' : 1,
    readerLimits(options),
  )
  await reader.refill()
  if (known === undefined) {
    reader.skipByteOrderMark()
    await until(reader, () => reader.skipPreamble())
  }
  let delimiter = options.delimiter === undefined ? undefined : delimiterByte(options.delimiter)
  while (delimiter === undefined) {
    delimiter = reader.lineDelimiter()
    if (delimiter === undefined) await reader.refill()
  }
  const layout = { delimiter: DELIMITERS.get(delimiter)!, nullValues } as const
  if ((await until(reader, () => reader.read(delimiter, MAX_COLUMNS))) === END) {
    const dataStart = reader.offset
    return { ...layout, header: options.header === true, columns: [], dataStart, rowsScanned: 0, rowCount: 0 }
  }

  const columnCount = reader.spans.count
  const header =
    known === undefined &&
    (options.header === true || (options.header !== false && !allNumbers(reader, classifier)))
  if (options.names !== undefined && options.names.length !== columnCount)
    throw raggedError(reader, options.names.length)
  const names = header
    ? headerNames(reader)
    : uniqueNames(options.names ?? Array.from({ length: columnCount }, () => ''))
  const seen = new Uint16Array(columnCount)
  // Columns that have shown no value yet: a sample goes on past inferRows until each has, since a type
  // guessed from nulls alone would be a guess.
  let unseen = columnCount
  const classify = () => {
    const { spans, buffer } = reader
    if (spans.count !== columnCount) throw raggedError(reader, columnCount)
    for (let c = 0; c < columnCount; c++) {
      const start = spans.starts[c]!
      const end = spans.ends[c]!
      // Once a column is text nothing changes its type; its fields still need to be valid text.
      if (!(seen[c]! & TEXT_BIT)) {
        const kind = classifier.classify(buffer, start, end)
        if (kind !== NULL && (seen[c]! | NULL_BIT) === NULL_BIT) unseen--
        seen[c]! |= kindBit(kind)
        if (kind !== TEXT) continue
      }
      checkText(reader, buffer, start, end, names[c]!)
    }
  }
  const dataStart = reader.bufferOffset + (header ? reader.recordEnd : reader.recordStart)
  // Without a header the record just read is the first data row.
  let pending = !header
  if (!header) reader.row = 1
  let rows = 0
  let complete = false
  while (rows < inferRows || unseen > 0) {
    const status = pending ? RECORD : reader.read(delimiter, columnCount)
    pending = false
    if (status === REFILL) await reader.refill()
    else if (status === END) {
      complete = true
      break
    } else {
      classify()
      rows++
    }
  }
  const columns = names.map((name, c) => ({ name, type: columnType(seen[c]!) }))
  return { ...layout, header, columns, dataStart, rowsScanned: rows, rowCount: complete ? rows : undefined }
}

export function readerLimits(options: CsvOptions): ReaderLimits {
  const sliceBytes = options.sliceBytes ?? 4 * 1024 * 1024
  const maxRecordBytes = options.maxRecordBytes ?? 64 * 1024 * 1024
  for (const [name, value] of [
    ['sliceBytes', sliceBytes],
    ['maxRecordBytes', maxRecordBytes],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new AstropackError('USAGE', `${name} must be a positive integer, not ${value}`)
    }
  }
  return { sliceBytes, maxRecordBytes }
}

const DELIMITERS = new Map<number, CsvDelimiter>([
  [COMMA, ','],
  [TAB, '\t'],
  [BAR, '|'],
  [SPACE, ' '],
])

export function delimiterByte(delimiter: string): number {
  for (const [byte, text] of DELIMITERS) if (text === delimiter) return byte
  throw new AstropackError(
    'USAGE',
    `delimiter must be ',', '\\t', '|' or ' ', not ${JSON.stringify(delimiter)}`,
  )
}

/** Calls `step` until it needs no refill. */
async function until(reader: RecordReader, step: () => ReadStatus): Promise<ReadStatus> {
  for (;;) {
    const status = step()
    if (status !== REFILL) return status
    await reader.refill()
  }
}

/** A first row of numbers (and perhaps empty fields) is data, not a header. */
function allNumbers(reader: RecordReader, classifier: FieldClassifier): boolean {
  const { spans, buffer } = reader
  let numbers = 0
  for (let c = 0; c < spans.count; c++) {
    const kind = classifier.classify(buffer, spans.starts[c]!, spans.ends[c]!)
    if (kind === BOOL || kind === TEXT) return false
    if (kind !== NULL && kind !== NAN_NULL) numbers++
  }
  return numbers > 0
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

function headerNames(reader: RecordReader): string[] {
  const { spans, buffer } = reader
  const names: string[] = []
  for (let c = 0; c < spans.count; c++) {
    const start = spans.starts[c]!
    const end = spans.ends[c]!
    checkText(reader, buffer, start, end, `col${c + 1}`)
    const text = utf8.decode(buffer.subarray(start, end))
    names.push(spans.quoting[c] === ESCAPED ? text.replaceAll('""', '"') : text)
  }
  return uniqueNames(names)
}
