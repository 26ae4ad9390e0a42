import { open } from 'node:fs/promises'
import { basename } from 'node:path'
import { isAstropackError } from '@astropack/codecs'
import { coverWithBytes, type PlannedSegment } from './segments.js'

const MAGIC = '# %ECSV '
const NEWLINE = 10
const SPACE = 32
const COMMA = 44
/** The end of the file read to find its last complete line. */
const TAIL_BYTES = 64 * 1024

/**
 * Plans an ECSV file (astropy's Enhanced CSV): its header (the `#` YAML lines and the column names line)
 * stays as it is; the data lines, up to the last newline, become a text segment with the header's
 * delimiter, stored as typed columns. The table record takes each column's datatype, unit and description
 * from the header. Returns undefined for anything else, and for a header the ECSV reader rejects.
 */
export async function planEcsv(
  path: string,
  size: number,
  head: Uint8Array,
): Promise<PlannedSegment[] | undefined> {
  if (new TextDecoder('latin1').decode(head.subarray(0, MAGIC.length)) !== MAGIC) return undefined
  // Loaded only for ECSV files: the YAML parser is no part of every pack's start-up.
  const { scanEcsv } = await import('@astropack/readers/ecsv')
  const file = await open(path, 'r')
  const source = {
    byteLength: size,
    async slice(start: number, end: number) {
      const bytes = new Uint8Array(end - start)
      const { bytesRead } = await file.read(bytes, 0, bytes.byteLength, start)
      return bytes.subarray(0, bytesRead)
    },
  }
  try {
    const scan = await scanEcsv(source).catch((error: unknown) => {
      if (isAstropackError(error)) return undefined
      throw error
    })
    if (scan === undefined) return undefined
    const tailStart = Math.max(scan.dataStart, size - TAIL_BYTES)
    const tail = await source.slice(tailStart, size)
    const lastEnd = tailStart + tail.lastIndexOf(NEWLINE) + 1
    if (lastEnd <= scan.dataStart) return undefined
    const columns = scan.columns.map(({ name, datatype, unit, description }) => ({
      name,
      type: datatype,
      ...(unit === undefined ? {} : { unit }),
      ...(description === undefined ? {} : { description }),
    }))
    const table = { name: basename(path), source: 'ecsv', dataOffset: scan.dataStart, columns }
    const text: PlannedSegment = {
      layout: 'text',
      start: scan.dataStart,
      end: lastEnd,
      delimiter: scan.delimiter === ',' ? COMMA : SPACE,
      columnCount: columns.length,
      table,
    }
    return coverWithBytes([text], size)
  } finally {
    await file.close()
  }
}
