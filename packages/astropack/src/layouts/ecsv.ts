import { isAstropackError } from '@astropack/codecs'
import { lastLineEnd } from './csv.js'
import { coverWithBytes, type PlannedSegment, type PlanSource } from './segments.js'

const MAGIC = '# %ECSV '
const SPACE = 32
const COMMA = 44

/**
 * Plans an ECSV file (astropy's Enhanced CSV): its header (the `#` YAML lines and the column names line)
 * stays as it is; the data lines, up to the last newline, become a text segment with the header's
 * delimiter, stored as typed columns. The table record takes each column's datatype, unit and description
 * from the header. Returns undefined for anything else, and for a header the ECSV reader rejects.
 */
export async function planEcsv(source: PlanSource, head: Uint8Array): Promise<PlannedSegment[] | undefined> {
  if (new TextDecoder('latin1').decode(head.subarray(0, MAGIC.length)) !== MAGIC) return undefined
  // Loaded only for ECSV files: the YAML parser is no part of every pack's start-up.
  const { scanEcsv } = await import('@astropack/readers/ecsv')
  const scan = await scanEcsv(source).catch((error: unknown) => {
    if (isAstropackError(error)) return undefined
    throw error
  })
  if (scan === undefined) return undefined
  const lastEnd = await lastLineEnd(source)
  if (lastEnd <= scan.dataStart) return undefined
  const columns = scan.columns.map(({ name, datatype, unit, description }) => ({
    name,
    type: datatype,
    ...(unit === undefined ? {} : { unit }),
    ...(description === undefined ? {} : { description }),
  }))
  const table = { name: source.name, source: 'ecsv', dataOffset: scan.dataStart, columns }
  const text: PlannedSegment = {
    layout: 'text',
    start: scan.dataStart,
    end: lastEnd,
    delimiter: scan.delimiter === ',' ? COMMA : SPACE,
    columnCount: columns.length,
    table,
  }
  return coverWithBytes([text], source.byteLength)
}
