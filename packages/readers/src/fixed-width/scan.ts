import { AstropackError, type ErrorCode } from '@astropack/codecs'
import type { ByteSource } from '../byte-source.js'
import { DEFAULT_NULL_VALUES, FieldClassifier, findBadText, TEXT } from '../csv/classify.js'
import { type CsvColumn, columnType, kindBit } from '../csv/infer.js'
import type { ReaderLimits } from '../csv/record-reader.js'
import { type CsvOptions, MAX_COLUMNS, readerLimits } from '../csv/scan.js'
import { FIXED_WIDTH_SAMPLE_BYTES, type FixedWidthField, findFixedWidthTable } from './layout.js'

export interface FixedWidthOptions extends Pick<CsvOptions, 'nullValues' | 'sliceBytes' | 'maxRecordBytes'> {}

/** What a first pass learnt of a fixed-width table; reading it again needs nothing else. */
export interface FixedWidthScan {
  /** Byte offset of the table's first line. */
  dataStart: number
  /** Byte offset after its last line: where the first line that is not the table's starts, else after
   * the file's last newline. */
  dataEnd: number
  /** Its lines end with CR LF. */
  crlf: boolean
  /** Where each field lies in a line (see findFixedWidthTable); the last runs to the line's end. */
  fields: FixedWidthField[]
  columns: CsvColumn[]
  /** The table's lines: all of them, since the scan reads to where the table ends. */
  rowCount: number
  /** The null spellings the types were inferred with; reading uses the same. */
  nullValues: readonly string[]
}

const LF = 0x0a
const CR = 0x0d
const SPACE = 0x20
const TEXT_BIT = kindBit(TEXT)

/**
 * Finds the fixed-width table in the first MiB of the source (findFixedWidthTable), then infers each
 * column's type as the CSV reader does, from the trimmed text of every line of the table. The table ends
 * at the first line that is not one of its own (too short to reach the last field, a byte other than a
 * space where a field ends, another line end) or at the file's last newline: packing ends it there too.
 * BAD_MAGIC when there is no table; CORRUPT_CHUNK for a NUL byte or invalid UTF-8 in a text field.
 */
export async function scanFixedWidth(
  source: ByteSource,
  options: FixedWidthOptions = {},
): Promise<FixedWidthScan> {
  const limits = readerLimits(options)
  const nullValues = options.nullValues ?? DEFAULT_NULL_VALUES
  const sample = await sliceExactly(source, 0, Math.min(source.byteLength, FIXED_WIDTH_SAMPLE_BYTES))
  const layout = findFixedWidthTable(sample)
  if (layout === undefined) {
    throw new AstropackError(
      'BAD_MAGIC',
      'fixed-width table: none in the first MiB (no run of lines with spaces at the same positions and a column of numbers)',
      { offset: 0 },
    )
  }
  const { dataStart, crlf, fields } = layout
  if (fields.length > MAX_COLUMNS) {
    throw fixedWidthError(
      'LIMIT_EXCEEDED',
      undefined,
      dataStart,
      `${fields.length} fields (at most ${MAX_COLUMNS})`,
    )
  }
  const classifier = new FieldClassifier(nullValues, false)
  const seen = new Uint16Array(fields.length)
  const shape = { fields, crlf }
  let rowCount = 0
  let dataEnd = dataStart
  scan: for await (const { bytes, offset } of wholeLines(source, dataStart, source.byteLength, limits)) {
    for (let line = 0; line < bytes.length; ) {
      const newline = bytes.indexOf(LF, line)
      const end = tableLineEnd(bytes, line, newline, shape)
      if (end === -1) break scan
      rowCount++
      for (let c = 0; c < fields.length; c++) {
        const start = line + fields[c]!.start
        const stop = c === fields.length - 1 ? end : line + fields[c]!.end
        // Once a column is text nothing changes its type; its fields still need to be valid text.
        if (!(seen[c]! & TEXT_BIT)) {
          const kind = classifier.classify(bytes, start, stop)
          seen[c]! |= kindBit(kind)
          if (kind !== TEXT) continue
        }
        const bad = findBadText(bytes, start, stop)
        if (bad !== -1) {
          const what = bytes[bad] === 0 ? 'a NUL byte: not text' : 'invalid UTF-8'
          throw fixedWidthError(
            'CORRUPT_CHUNK',
            rowCount,
            offset + bad,
            `field '${fields[c]!.name}': ${what}`,
          )
        }
      }
      line = newline + 1
      dataEnd = offset + line
    }
  }
  const columns = fields.map(({ name }, c) => ({ name, type: columnType(seen[c]!) }))
  return { dataStart, dataEnd, crlf, fields, columns, rowCount, nullValues }
}

/**
 * Where the content of the line at `line` (its LF at `newline`) ends when the line is one of the table's,
 * else -1: long enough to reach the last field, a space where each other field ends, and a CR before the
 * LF exactly when the table's lines have one (fixedLinesEnd in @astropack/format, the packer's rule).
 */
export function tableLineEnd(
  bytes: Uint8Array,
  line: number,
  newline: number,
  { fields, crlf }: Pick<FixedWidthScan, 'fields' | 'crlf'>,
): number {
  const hasCr = newline > line && bytes[newline - 1] === CR
  if (hasCr !== crlf) return -1
  const end = hasCr ? newline - 1 : newline
  if (end - line < fields.at(-1)!.start) return -1
  for (let c = 1; c < fields.length; c++) if (bytes[line + fields[c]!.start - 1] !== SPACE) return -1
  return end
}

/** Whole lines of a source and the file offset of their first byte. */
export interface LineChunk {
  bytes: Uint8Array
  offset: number
}

/**
 * The source's bytes in [start, end) a slice at a time, each cut after its last newline; the bytes after it
 * are carried into the next. Bytes after the last newline before `end` are not given: a line without one
 * at the end of a file is no line of the table. A line longer than maxRecordBytes is LIMIT_EXCEEDED.
 */
export async function* wholeLines(
  source: ByteSource,
  start: number,
  end: number,
  { sliceBytes, maxRecordBytes }: ReaderLimits,
): AsyncGenerator<LineChunk, void, undefined> {
  let carried: Uint8Array = new Uint8Array(0)
  let offset = start
  for (let next = start; next < end; ) {
    // At least doubling what is held keeps a line over many slices linear to read.
    const to = Math.min(end, next + Math.max(sliceBytes, carried.length))
    const slice = await sliceExactly(source, next, to)
    next = to
    let bytes = slice
    if (carried.length > 0) {
      bytes = new Uint8Array(carried.length + slice.length)
      bytes.set(carried)
      bytes.set(slice, carried.length)
    }
    const cut = bytes.lastIndexOf(LF) + 1
    carried = bytes.subarray(cut)
    if (next < end && carried.length > maxRecordBytes) {
      throw fixedWidthError(
        'LIMIT_EXCEEDED',
        undefined,
        offset + cut,
        `a line longer than ${maxRecordBytes} bytes (maxRecordBytes)`,
      )
    }
    if (cut > 0) yield { bytes: bytes.subarray(0, cut), offset }
    offset += cut
  }
}

/** source.slice, or TRUNCATED when the source gives fewer bytes than asked. */
async function sliceExactly(source: ByteSource, start: number, end: number): Promise<Uint8Array> {
  const bytes = await source.slice(start, end)
  if (bytes.length !== end - start) {
    throw fixedWidthError(
      'TRUNCATED',
      undefined,
      start,
      `the source gave ${bytes.length} bytes for ${end - start}`,
    )
  }
  return bytes
}

/** A typed error whose message reads `fixed-width row 17, byte 5120: ...`; the offset is also on the error. */
export function fixedWidthError(
  code: ErrorCode,
  row: number | undefined,
  offset: number,
  text: string,
): AstropackError {
  const where = row === undefined ? '' : ` row ${row},`
  return new AstropackError(code, `fixed-width table${where} byte ${offset}: ${text}`, { offset })
}
