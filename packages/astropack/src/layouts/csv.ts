import { open } from 'node:fs/promises'
import { basename } from 'node:path'
import { coverWithBytes, type PlannedSegment } from './segments.js'

const NEWLINE = 10
const CR = 13
const COMMA = 44
const TAB = 9
const QUOTE = 34
const latin1 = new TextDecoder('latin1')
/** The end of the file read to find its last complete line. */
const TAIL_BYTES = 64 * 1024

function isPlainText(bytes: Uint8Array): boolean {
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
        field += latin1.decode(line.subarray(i, at))
        i = at + 1
        if (line[i] !== QUOTE) break
        field += '"'
        i++
      }
      if (i < line.byteLength && line[i] !== delimiter) return undefined
    } else {
      const at = line.indexOf(delimiter, i)
      const end = at === -1 ? line.byteLength : at
      field = latin1.decode(line.subarray(i, end))
      i = end
    }
    fields.push(field)
    if (i >= line.byteLength) return fields
    i++ // past the delimiter
  }
}

/**
 * Plans a delimited text table (CSV, TSV): the first line stays as it is (a header, usually); the lines
 * after it, up to the last newline, become a text segment stored as typed columns. Returns undefined for
 * anything else. Groups that turn out not to be plain tables are kept whole by the column encoder.
 */
export async function planCsv(
  path: string,
  size: number,
  head: Uint8Array,
): Promise<PlannedSegment[] | undefined> {
  if (!isPlainText(head)) return undefined
  const firstEnd = head.indexOf(NEWLINE)
  if (firstEnd === -1) return undefined
  const firstLine = head.subarray(0, firstEnd)
  const header = firstLine.at(-1) === CR ? firstLine.subarray(0, -1) : firstLine
  const commas = splitLine(header, COMMA) ?? []
  const tabs = splitLine(header, TAB) ?? []
  if (commas.length < 2 && tabs.length < 2) return undefined
  const delimiter = tabs.length > commas.length ? TAB : COMMA
  // The first line names the columns (when it is a header; a headerless file shows its first values).
  const names = delimiter === TAB ? tabs : commas
  const file = await open(path, 'r')
  try {
    const tailStart = Math.max(0, size - TAIL_BYTES)
    const tail = new Uint8Array(size - tailStart)
    await file.read(tail, 0, tail.byteLength, tailStart)
    const lastEnd = tailStart + tail.lastIndexOf(NEWLINE) + 1
    if (lastEnd <= firstEnd + 1) return undefined
    const table = {
      name: basename(path),
      source: delimiter === TAB ? 'tsv' : 'csv',
      dataOffset: firstEnd + 1,
      columns: names.map((name) => ({ name })),
    }
    const text: PlannedSegment = {
      layout: 'text',
      start: firstEnd + 1,
      end: lastEnd,
      delimiter,
      columnCount: names.length,
      table,
    }
    return coverWithBytes([text], size)
  } finally {
    await file.close()
  }
}
