import { isDataLine, uniqueNames } from '@astropack/readers/csv-names'
import { coverWithBytes, type PlannedSegment, type PlanSource, tooWide } from './segments.js'

const NEWLINE = 10
const CR = 13
const COMMA = 44
const TAB = 9
const BAR = 124
const QUOTE = 34
const HASH = 35
const DASH = 45
const SPACE = 32
/** Names and units are text in the file's encoding, UTF-8 (its multi-byte characters hold no quote or delimiter byte). */
const utf8 = new TextDecoder()
/** The end of the file read to find its last complete line. */
const TAIL_BYTES = 64 * 1024

export function isPlainText(bytes: Uint8Array): boolean {
  let printable = 0
  for (let i = 0; i < bytes.byteLength; i++) {
    const byte = bytes[i]!
    if (byte === 0) return false // NUL: not text
    // CR only in CR LF line ends (the last byte may cut one in two).
    if (byte === CR && i + 1 < bytes.byteLength && bytes[i + 1] !== NEWLINE) return false
    if ((byte >= 32 && byte < 127) || byte === TAB || byte === NEWLINE || byte === CR || byte >= 160)
      printable++
  }
  return printable >= bytes.byteLength * 0.95
}

/**
 * The fields of one line, a quoted field (two quotes inside stand for one) without its quotes; undefined
 * when a quote is left open or something other than the delimiter follows a closing quote.
 */
export function splitLine(line: Uint8Array, delimiter: number): string[] | undefined {
  const fields: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (line[i] === QUOTE) {
      for (i++; ; ) {
        const at = line.indexOf(QUOTE, i)
        if (at === -1) return undefined
        field += utf8.decode(line.subarray(i, at))
        i = at + 1
        if (line[i] !== QUOTE) break
        field += '"'
        i++
      }
      if (i < line.byteLength && line[i] !== delimiter) return undefined
    } else {
      const at = line.indexOf(delimiter, i)
      const end = at === -1 ? line.byteLength : at
      field = utf8.decode(line.subarray(i, end))
      i = end
    }
    fields.push(field)
    if (i >= line.byteLength) return fields
    i++ // past the delimiter
  }
}

/**
 * Whether a field that does not start with a quote holds one: no header of a table (RFC 4180 quotes whole
 * fields), but JSON written one key to a line (`{"data": [{"ra": 1.5,`), whose lines split in two at
 * their commas as a table's would.
 */
function bareQuote(line: Uint8Array, delimiter: number): boolean {
  const FIELD_START = 0
  const UNQUOTED = 1
  const QUOTED = 2
  const CLOSED = 3 // a quote inside a quoted field: its end, or the first of two that stand for one
  let state = FIELD_START
  for (const byte of line) {
    if (byte === delimiter && state !== QUOTED) state = FIELD_START
    else if (byte === QUOTE) {
      if (state === UNQUOTED) return true
      state = state === QUOTED ? CLOSED : QUOTED
    } else if (state === CLOSED)
      return true // text after a closing quote
    else if (state === FIELD_START) state = UNQUOTED
  }
  return false
}

/** How much of a file's start is read to find its header below comment lines: first, then at most. */
const HEADER_BYTES = 64 * 1024
const MAX_HEADER_BYTES = 1024 * 1024

function lineCount(bytes: Uint8Array): number {
  let count = 0
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) count++
  return count
}

/** Line `at` of `bytes`: its content (without CR LF or LF), and where the next starts; undefined if unended. */
function lineAt(bytes: Uint8Array, at: number): { line: Uint8Array; next: number } | undefined {
  const end = bytes.indexOf(NEWLINE, at)
  if (end === -1) return undefined
  const line = bytes.subarray(at, end)
  return { line: line.at(-1) === CR ? line.subarray(0, -1) : line, next: end + 1 }
}

/** A UTF-8 byte order mark's length at the start: it is no part of the first column's name. */
function bomLength(bytes: Uint8Array): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
}

/** A rule under a header, as VizieR writes one: dashes, between delimiters and spaces. */
function isRule(line: Uint8Array, delimiter: number): boolean {
  return line.includes(DASH) && line.every((byte) => byte === DASH || byte === delimiter || byte === SPACE)
}

/**
 * The fields of a header line, by whichever of comma, tab and bar splits it into more (at least two); else
 * by single spaces, when no field is empty (astropy's `ascii.basic`: `ra dec mag`; a line aligned with runs
 * of spaces is a fixed-width table's).
 */
function headerFields(line: Uint8Array): { delimiter: number; names: string[] } | undefined {
  let best: { delimiter: number; names: string[] } | undefined
  for (const delimiter of [COMMA, TAB, BAR]) {
    const names = (!bareQuote(line, delimiter) && splitLine(line, delimiter)) || []
    if (names.length >= 2 && names.length > (best?.names.length ?? 0)) best = { delimiter, names }
  }
  if (best) return best
  const words = splitLine(line, SPACE) ?? []
  return words.length >= 2 && words.every((word) => word !== '')
    ? { delimiter: SPACE, names: words }
    : undefined
}

/** What the manifest calls a delimited table (its `source`), by its delimiter. */
const SOURCES = new Map([
  [COMMA, 'csv'],
  [TAB, 'tsv'],
  [BAR, 'bar-separated'],
  [SPACE, 'space-separated'],
])

/** The delimiter of a delimited table, by its manifest `source`; undefined for other tables. */
export function sourceDelimiter(source: string): ',' | '\t' | '|' | ' ' | undefined {
  for (const [byte, name] of SOURCES)
    if (name === source) return String.fromCharCode(byte) as ',' | '\t' | '|' | ' '
  return undefined
}

/**
 * Where a table's header and data start in `start` (the file's first bytes). Comment lines (`#`) and
 * blank lines before the header stay as they are; the last comment line (or, above a first line of data,
 * the first) is the header when it names as many columns as the first line below it has (`#ra,dec`). Under the header, a rule of dashes, with a line
 * of units between them (VizieR's TSV), belongs to the header too. A first line of numbers is no header
 * but the first row. Names are the CSV reader's (blanks trimmed, empty ones colN, repeats suffixed).
 */
function findHeader(start: Uint8Array) {
  let at = bomLength(start)
  const comments: Uint8Array[] = []
  let last: Uint8Array | undefined
  for (let line = lineAt(start, at); line; line = lineAt(start, at)) {
    if (line.line[0] !== HASH && line.line.byteLength > 0) break
    last = line.line.byteLength > 0 ? line.line : undefined
    if (last) comments.push(last)
    at = line.next
  }
  const first = lineAt(start, at)
  if (!first) return undefined
  const header = headerFields(first.line)
  if (!header) return undefined
  // The comment line right above the data (`#ra,dec`), else, when the first line is data, the first
  // comment line (astropy's `commented_header` puts the names there, its other comments after them).
  for (const comment of [last, isDataLine(header.names) ? comments[0] : undefined]) {
    const commented =
      comment && headerFields(comment.subarray(comment.findIndex((b) => b !== HASH && b !== SPACE)))
    if (commented?.delimiter === header.delimiter && commented.names.length === header.names.length)
      return { ...commented, names: uniqueNames(commented.names), dataStart: at, units: undefined }
  }
  // A headerless file: the first line is the first row, and the columns are col1, col2, ... as the CSV
  // reader names them.
  if (isDataLine(header.names))
    return { ...header, names: uniqueNames(header.names.map(() => '')), dataStart: at, units: undefined }
  let dataStart = first.next
  let units: string[] | undefined
  const below = lineAt(start, dataStart)
  if (below && isRule(below.line, header.delimiter)) dataStart = below.next
  else if (below) {
    const rule = lineAt(start, below.next)
    const fields = splitLine(below.line, header.delimiter)
    if (rule && isRule(rule.line, header.delimiter) && fields?.length === header.names.length) {
      units = fields.map((unit) => unit.trim())
      dataStart = rule.next
    }
  }
  return { ...header, names: uniqueNames(header.names), dataStart, units }
}

/**
 * Where a text file's last complete line ends (0 when no newline is in its last TAIL_BYTES). Without
 * `blankLines`, where its last line with content ends: a delimited table's blank lines after its last row
 * (LF or CR LF) would make its group one the CSV reader skips lines of, kept whole; they go with the bytes
 * after the table.
 */
export async function lastLineEnd(source: PlanSource, { blankLines = true } = {}): Promise<number> {
  const size = source.byteLength
  const tailStart = Math.max(0, size - TAIL_BYTES)
  const tail = await source.slice(tailStart, size)
  let end = tail.lastIndexOf(NEWLINE) + 1
  if (end === 0) return 0
  while (!blankLines) {
    let start = end - 1 // the last line's LF; the line is blank when the LF (or a CR) before it ends another
    if (tail[start - 1] === CR) start--
    if (start < 1 || tail[start - 1] !== NEWLINE) break
    end = start
  }
  return tailStart + end
}

/** Whether most of a row's fields are numbers (`KEY "1"` is half: a configuration line). */
function mostlyNumbers(fields: readonly string[]): boolean {
  return fields.filter((field) => isDataLine([field])).length * 2 > fields.length
}

/** Lines below the header looked at to tell a table from text that merely holds delimiters. */
const SAMPLE_LINES = 4096

/**
 * Whether at least half the lines after `dataStart` that `bytes` holds have the header's field count: a
 * file whose lines mostly have none of its delimiters is no delimited table, however its first lines split
 * (KStars' stars.dat: commas before the names of its first 80 stars, of 126,000).
 */
function mostLinesFit(bytes: Uint8Array, dataStart: number, delimiter: number, count: number): boolean {
  let seen = 0
  let fit = 0
  for (let line = lineAt(bytes, dataStart); line && seen < SAMPLE_LINES; line = lineAt(bytes, line.next)) {
    seen++
    if (splitLine(line.line, delimiter)?.length === count) fit++
  }
  return fit * 2 >= seen
}

/**
 * Plans a delimited text table (CSV, TSV): the header (see findHeader) stays as it is; the lines after it,
 * up to the last newline, become a text segment stored as typed columns. Returns undefined for anything
 * else. Groups that turn out not to be plain tables are kept whole by the column encoder.
 */
export async function planCsv(source: PlanSource, head: Uint8Array): Promise<PlannedSegment[] | undefined> {
  if (!isPlainText(head)) return undefined
  const size = source.byteLength
  const first = head[bomLength(head)]
  // Comment lines, or a header (with VizieR's units and rule) longer than the head: read on, and further
  // once for a block of comments longer than that (VizieR's column descriptions of a wide table).
  const readOn = first === HASH || first === NEWLINE || first === CR || lineCount(head) < 3
  let read = head
  let header = readOn ? undefined : findHeader(head)
  for (const length of readOn ? [HEADER_BYTES, MAX_HEADER_BYTES] : []) {
    read = await source.slice(0, Math.min(length, size))
    if (!isPlainText(read)) return undefined
    header = findHeader(read)
    if (header || read.byteLength === size) break
  }
  if (!header || !mostLinesFit(read, header.dataStart, header.delimiter, header.names.length))
    return undefined
  const { delimiter, names, dataStart, units } = header
  if (tooWide(size - dataStart, names.length)) return undefined
  // Words between single spaces or bars are a table of numbers only when its rows are mostly numbers:
  // configuration files and word lists split the same way.
  const row = lineAt(read, dataStart)
  const fields = row && splitLine(row.line, delimiter)
  if ((delimiter === SPACE || delimiter === BAR) && !(fields && mostlyNumbers(fields))) return undefined
  const lastEnd = await lastLineEnd(source, { blankLines: false })
  if (lastEnd <= dataStart) return undefined
  const table = {
    name: source.name,
    source: SOURCES.get(delimiter)!,
    dataOffset: dataStart,
    columns: names.map((name, c) => (units?.[c] ? { name, unit: units[c] } : { name })),
  }
  const text: PlannedSegment = {
    layout: 'text',
    start: dataStart,
    end: lastEnd,
    delimiter,
    columnCount: names.length,
    table,
  }
  return coverWithBytes([text], size)
}
