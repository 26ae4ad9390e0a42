import { AstropackError } from '@astropack/codecs'
import { parse, YAMLParseError } from 'yaml'
import type { ByteSource } from '../byte-source.js'
import { checkText } from '../csv/classify.js'
import { COMMA, ESCAPED, FieldSpans, LF, NEED_MORE, tokenizeRecord } from '../csv/tokenize.js'

/** The datatypes ECSV 1.0 allows (APE 6). */
export const ECSV_DATATYPES = [
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float16',
  'float32',
  'float64',
  'float128',
  'complex64',
  'complex128',
  'complex256',
  'string',
] as const
export type EcsvDatatype = (typeof ECSV_DATATYPES)[number]

/** One column as the header declares it. */
export interface EcsvColumn {
  name: string
  datatype: EcsvDatatype
  /** What a `string` column really holds: `int64[3]` (fixed arrays), `float64[null]` (variable), `json`. */
  subtype?: string
  unit?: string
  description?: string
  /** A Python format specifier for display (`.3f`). */
  format?: string
  meta?: unknown
}

/** An ECSV file's header: enough to read its data lines without looking at it again. */
export interface EcsvScan {
  /** The version the first line states (`1.0`). */
  version: string
  delimiter: ' ' | ','
  columns: EcsvColumn[]
  /** The table's `meta` (maps as plain objects), when the header has one. */
  meta?: unknown
  /** The `schema` key (`astropy-2.0`), when present. */
  schema?: string
  /** Lines before the first data line: the `#` header lines and the column names line. */
  headerLines: number
  /** Byte offset of the first data line. */
  dataStart: number
}

/** The first read; a longer header is read again with twice as many bytes. */
const FIRST_READ_BYTES = 64 * 1024
/** As the CSV reader's MAX_COLUMNS (not imported: csv/scan.ts loads Arrow, which planning a pack must not). */
const MAX_COLUMNS = 100_000
/** A header longer than this is taken for garbage (LIMIT_EXCEEDED). */
export const MAX_ECSV_HEADER_BYTES = 16 * 1024 * 1024
const HASH = 0x23
const CR = 0x0d
export const SPACE = 0x20
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Reads an ECSV file's header: the `# %ECSV` line, the YAML block in `#` lines and the column names line. */
export async function scanEcsv(source: ByteSource): Promise<EcsvScan> {
  let want = Math.min(source.byteLength, FIRST_READ_BYTES)
  for (;;) {
    const bytes = await source.slice(0, want)
    if (bytes.length !== want) {
      throw new AstropackError('TRUNCATED', `ECSV: the source gave ${bytes.length} bytes for ${want}`)
    }
    if (want <= FIRST_READ_BYTES) checkMagic(bytes)
    const atEnd = want === source.byteLength
    const scan = scanHeader(bytes, atEnd)
    if (scan !== undefined) return scan
    if (atEnd) {
      throw new AstropackError(
        'TRUNCATED',
        `ECSV: the file ends (byte ${want}) before the line of column names that ends the header`,
      )
    }
    if (want >= MAX_ECSV_HEADER_BYTES) {
      throw new AstropackError('LIMIT_EXCEEDED', `ECSV: a header longer than ${MAX_ECSV_HEADER_BYTES} bytes`)
    }
    want = Math.min(source.byteLength, 2 * want, MAX_ECSV_HEADER_BYTES)
  }
}

/** The header when `bytes` hold all of it (undefined when more bytes are needed). */
function scanHeader(bytes: Uint8Array, atEnd: boolean): EcsvScan | undefined {
  const comments: string[] = []
  let pos = 0
  let lines = 0
  for (;;) {
    if (pos >= bytes.length) return undefined
    const lf = bytes.indexOf(LF, pos)
    if (lf === -1 && !atEnd) return undefined
    const lineEnd = lf === -1 ? bytes.length : lf
    const first = bytes[pos]
    if (first === HASH) {
      comments.push(decodeLine(bytes.subarray(pos, lineEnd), lines + 1))
    } else if (lineEnd > pos && !(lineEnd === pos + 1 && first === CR)) {
      const header = parseYaml(comments)
      return namesLine(bytes, pos, atEnd, header, lines)
    }
    lines++
    pos = lineEnd + 1
  }
}

function checkMagic(bytes: Uint8Array): void {
  if (new TextDecoder('latin1').decode(bytes.subarray(0, 8)) !== '# %ECSV ') {
    throw new AstropackError('BAD_MAGIC', 'ECSV: the first line is not "# %ECSV <version>"')
  }
}

function decodeLine(line: Uint8Array, lineNumber: number): string {
  const end = line.at(-1) === CR ? line.length - 1 : line.length
  try {
    return utf8.decode(line.subarray(0, end))
  } catch {
    throw corrupt(`header line ${lineNumber} is not UTF-8`)
  }
}

type Header = Omit<EcsvScan, 'headerLines' | 'dataStart'>

/** The YAML block: the `#` lines after `# ---`, each without its `# `. */
function parseYaml(comments: string[]): Header {
  const version = /^# %ECSV (\d+\.\d+)\s*$/.exec(comments[0] ?? '')?.[1]
  if (version === undefined) throw new AstropackError('BAD_MAGIC', `ECSV: the first line is ${comments[0]}`)
  if (comments[1]?.trimEnd() !== '# ---') throw corrupt('header line 2 is not "# ---"')
  const yamlLines = comments.slice(2).map((line, i) => {
    if (line !== '#' && !line.startsWith('# ')) throw corrupt(`header line ${i + 3} does not start with "# "`)
    return line.slice(2)
  })
  let doc: unknown
  try {
    // YAML 1.1 as PyYAML writes it (!!omap); astropy's own tags (!astropy.units.Unit) are read as plain nodes.
    doc = parse(yamlLines.join('\n'), { version: '1.1', logLevel: 'error' })
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error
    const line = (error.linePos?.[0].line ?? 0) + 2
    throw corrupt(`header line ${line}: malformed YAML (${error.message.split('\n')[0]})`)
  }
  if (!isRecord(doc) || !Array.isArray(doc.datatype)) throw corrupt('the header has no datatype list')
  const delimiter = doc.delimiter ?? ' '
  if (delimiter !== ' ' && delimiter !== ',') {
    throw new AstropackError(
      'UNSUPPORTED_FEATURE',
      `ECSV: delimiter ${JSON.stringify(delimiter)} (ECSV allows a space or a comma)`,
    )
  }
  const columns = doc.datatype.map((entry, i) => column(entry, i))
  const header: Header = { version, delimiter, columns }
  if (doc.meta !== undefined) header.meta = plain(doc.meta)
  if (typeof doc.schema === 'string') header.schema = doc.schema
  return header
}

function column(entry: unknown, index: number): EcsvColumn {
  const where = `datatype entry ${index + 1}`
  if (!isRecord(entry) || typeof entry.name !== 'string') throw corrupt(`${where} has no name`)
  const datatype = entry.datatype
  if (!ECSV_DATATYPES.includes(datatype as EcsvDatatype)) {
    throw corrupt(`column '${entry.name}' has datatype ${JSON.stringify(datatype)}, not one ECSV allows`)
  }
  const out: EcsvColumn = { name: entry.name, datatype: datatype as EcsvDatatype }
  for (const key of ['subtype', 'unit', 'description', 'format'] as const) {
    const value = entry[key]
    if (value === undefined || value === null || value === '') continue
    if (typeof value !== 'string') throw corrupt(`column '${entry.name}': ${key} is not text`)
    out[key] = value
  }
  if (entry.meta !== undefined) out.meta = plain(entry.meta)
  return out
}

/** The column names line: its names must be the header's, in order. */
function namesLine(bytes: Uint8Array, pos: number, atEnd: boolean, header: Header, lines: number) {
  const delimiter = header.delimiter === ',' ? COMMA : SPACE
  const spans = new FieldSpans()
  const place = { bufferOffset: 0, row: 'header' as const }
  const dataStart = tokenizeRecord(bytes, pos, atEnd, delimiter, spans, MAX_COLUMNS, place)
  if (dataStart === NEED_MORE) return undefined
  const names: string[] = []
  for (let c = 0; c < spans.count; c++) {
    const start = spans.starts[c]!
    const end = spans.ends[c]!
    checkText(place, bytes, start, end, `col${c + 1}`)
    const text = utf8.decode(bytes.subarray(start, end))
    names.push(spans.quoting[c] === ESCAPED ? text.replaceAll('""', '"') : text)
  }
  const declared = header.columns.map((c) => c.name)
  if (names.length !== declared.length || names.some((name, i) => name !== declared[i])) {
    throw corrupt(
      `line ${lines + 1}: the column names (${names.join(', ')}) are not the header's (${declared.join(', ')})`,
    )
  }
  return { ...header, headerLines: lines + 1, dataStart }
}

function corrupt(text: string): AstropackError {
  return new AstropackError('CORRUPT_CHUNK', `ECSV ${text}`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** YAML maps (an `!!omap` is read as a Map) as plain objects, so metadata can be written as JSON. */
function plain(value: unknown): unknown {
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([key, item]) => [String(key), plain(item)]))
  }
  if (Array.isArray(value)) return value.map(plain)
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]))
  return value
}
