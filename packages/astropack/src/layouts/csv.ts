import { open } from 'node:fs/promises'
import { basename } from 'node:path'
import { coverWithBytes, type PlannedSegment } from './segments.js'

const NEWLINE = 10
const CR = 13
const COMMA = 44
const TAB = 9
/** The end of the file read to find its last complete line. */
const TAIL_BYTES = 64 * 1024

function isPlainText(bytes: Uint8Array): boolean {
  let printable = 0
  for (let i = 0; i < bytes.byteLength; i++) {
    const byte = bytes[i]!
    if (byte === 0 || byte === 34) return false // NUL or quotes: not a plain table
    // CR only in CR LF line ends (the last byte may cut one in two).
    if (byte === CR && i + 1 < bytes.byteLength && bytes[i + 1] !== NEWLINE) return false
    if ((byte >= 32 && byte < 127) || byte === TAB || byte === NEWLINE || byte === CR || byte >= 160)
      printable++
  }
  return printable >= bytes.byteLength * 0.95
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
  const commas = firstLine.filter((byte) => byte === COMMA).length
  const tabs = firstLine.filter((byte) => byte === TAB).length
  if (commas === 0 && tabs === 0) return undefined
  const delimiter = tabs > commas ? TAB : COMMA
  const columnCount = Math.max(commas, tabs) + 1
  const file = await open(path, 'r')
  try {
    const tailStart = Math.max(0, size - TAIL_BYTES)
    const tail = new Uint8Array(size - tailStart)
    await file.read(tail, 0, tail.byteLength, tailStart)
    const lastEnd = tailStart + tail.lastIndexOf(NEWLINE) + 1
    if (lastEnd <= firstEnd + 1) return undefined
    // The first line names the columns (when it is a header; a headerless file shows its first values).
    const header = firstLine.at(-1) === CR ? firstLine.subarray(0, -1) : firstLine
    const names = new TextDecoder('latin1').decode(header).split(String.fromCharCode(delimiter))
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
      columnCount,
      table,
    }
    return coverWithBytes([text], size)
  } finally {
    await file.close()
  }
}
