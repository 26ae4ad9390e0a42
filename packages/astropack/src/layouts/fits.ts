import type { ElementWidth, TransformStep } from '@astropack/codecs'
import type { BinaryColumn, ElementType, FitsHdu } from '@astropack/readers/fits'
import { FITS_METRIC_ELEMENTS, type MetricSpec, positionKind } from './metrics.js'
import {
  coverWithBytes,
  MIN_TYPED_BYTES,
  numberChains,
  OPAQUE,
  type PlannedSegment,
  type PlanSource,
  type TableSchema,
} from './segments.js'

type Readers = typeof import('@astropack/readers/fits')

const FITS_MAGIC = 'SIMPLE  ='

/** FITS numbers are big-endian. */
const numberCandidates = (kind: 'int' | 'float', width: ElementWidth) => numberChains(kind, width, true)

const ELEMENT_CANDIDATES: Record<ElementType, TransformStep[][]> = {
  L: OPAQUE,
  X: OPAQUE,
  A: OPAQUE,
  B: numberCandidates('int', 1),
  I: numberCandidates('int', 2),
  J: numberCandidates('int', 4),
  K: numberCandidates('int', 8),
  E: numberCandidates('float', 4),
  C: numberCandidates('float', 4),
  D: numberCandidates('float', 8),
  M: numberCandidates('float', 8),
}

function tableSegment(readers: Readers, hdu: FitsHdu): PlannedSegment | undefined {
  const layout = readers.binaryTableLayout(hdu)
  const bytes = layout.rowBytes * layout.rowCount
  if (bytes < MIN_TYPED_BYTES || layout.rowBytes === 0) return undefined
  const columns: RowsSegment['columns'] = layout.columns
    .filter((column) => column.width > 0)
    .map((column) => ({
      offset: column.offset,
      width: column.width,
      tableColumn: layout.columns.indexOf(column),
      ...metricSpec(column),
      // Heap descriptors (P: two int32, Q: two int64) are counts and offsets: integers.
      candidates:
        column.form.type === 'P'
          ? numberCandidates('int', 4)
          : column.form.type === 'Q'
            ? numberCandidates('int', 8)
            : ELEMENT_CANDIDATES[column.form.element],
    }))
  const used = columns.reduce((sum, column) => sum + column.width, 0)
  if (used < layout.rowBytes)
    columns.push({ offset: used, width: layout.rowBytes - used, candidates: OPAQUE })
  const table: TableSchema = {
    name: hdu.extname ?? `HDU ${hdu.index}`,
    source: 'fits',
    hdu: hdu.index,
    rows: layout.rowCount,
    dataOffset: layout.dataStart,
    columns: layout.columns.map((column) => ({
      name: column.name,
      type: column.form.raw.trim(),
      ...(column.unit ? { unit: column.unit } : {}),
      ...(column.ucd ? { ucd: column.ucd } : {}),
      ...(column.description ? { description: column.description } : {}),
      ...scaling(column),
    })),
  }
  return rowsSegment(layout, columns, table)
}

type RowsSegment = Extract<PlannedSegment, { layout: 'rows' }>

/** A table HDU's rows as a rows segment of `columns`. */
function rowsSegment(
  layout: { rowBytes: number; rowCount: number; dataStart: number },
  columns: RowsSegment['columns'],
  table?: TableSchema,
): RowsSegment {
  const { rowBytes, rowCount, dataStart } = layout
  const end = dataStart + rowBytes * rowCount
  return {
    layout: 'rows',
    start: dataStart,
    end,
    rowWidth: rowBytes,
    rowCount,
    columns,
    ...(table ? { table } : {}),
  }
}

/**
 * An ASCII TABLE's rows, split at its fields (text, each compressed on its own: a column's numbers share
 * their layout and digits) with the bytes between and after them as columns too. Not listed as a table:
 * its fields are text, which the table view does not read. Fields that overlap are left as they are.
 */
function asciiTableSegment(readers: Readers, hdu: FitsHdu): PlannedSegment | undefined {
  const layout = readers.asciiTableLayout(hdu)
  const bytes = layout.rowBytes * layout.rowCount
  if (bytes < MIN_TYPED_BYTES || layout.rowBytes === 0) return undefined
  const fields = layout.columns.filter((column) => column.width > 0).sort((a, b) => a.offset - b.offset)
  const columns: RowsSegment['columns'] = []
  let end = 0
  for (const { offset, width } of fields) {
    if (offset < end) return undefined
    if (offset > end) columns.push({ offset: end, width: offset - end, candidates: OPAQUE })
    columns.push({ offset, width, candidates: OPAQUE })
    end = offset + width
  }
  if (end < layout.rowBytes) columns.push({ offset: end, width: layout.rowBytes - end, candidates: OPAQUE })
  return rowsSegment(layout, columns)
}

/** How to measure a numeric column (every element of every row); strings, bits and heap arrays are not. */
function metricSpec(column: BinaryColumn): { metric?: MetricSpec } {
  const { type } = column.form
  if (!(type === 'B' || type === 'I' || type === 'J' || type === 'K' || type === 'E' || type === 'D'))
    return {}
  const zero = exactNumber(column.zero)
  const tnull = typeof column.null === 'string' ? undefined : exactNumber(column.null)
  if (zero === undefined || !Number.isFinite(column.scale)) return {}
  const range = positionKind(column.name, column.unit)
  return {
    metric: {
      element: FITS_METRIC_ELEMENTS[type],
      littleEndian: false,
      scale: column.scale,
      zero,
      ...(tnull !== undefined && type !== 'E' && type !== 'D' ? { null: tnull } : {}),
      ...(range ? { range } : {}),
    },
  }
}

/** TSCAL, TZERO and TNULL when the header sets them and JSON holds them exactly (TZERO 2^63 does). */
function scaling(column: BinaryColumn): { tscal?: number; tzero?: number; tnull?: number } {
  const zero = exactNumber(column.zero)
  const tnull = typeof column.null === 'string' ? undefined : exactNumber(column.null)
  return {
    ...(column.scale !== 1 && Number.isFinite(column.scale) ? { tscal: column.scale } : {}),
    ...(zero !== undefined && zero !== 0 ? { tzero: zero } : {}),
    ...(tnull !== undefined && Number.isInteger(tnull) ? { tnull } : {}),
  }
}

function exactNumber(value: number | bigint | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  return value !== undefined && BigInt(Number(value)) === value ? Number(value) : undefined
}

function imageSegment(hdu: FitsHdu): PlannedSegment | undefined {
  const width = Math.abs(hdu.bitpix) / 8
  if (hdu.dataEnd - hdu.dataStart < MIN_TYPED_BYTES || width === 1 || hdu.randomGroups) return undefined
  const candidates = numberCandidates(hdu.bitpix < 0 ? 'float' : 'int', width as ElementWidth)
  return { layout: 'bytes', start: hdu.dataStart, end: hdu.dataEnd, candidates }
}

/**
 * Plans a FITS file: binary and ASCII tables become rows segments (one column per field), image arrays bytes
 * segments with numeric transform candidates; headers, heaps, padding and anything unrecognised stay
 * opaque. Returns undefined for files that are not FITS or that the reader cannot scan cleanly.
 */
export async function planFits(source: PlanSource, head: Uint8Array): Promise<PlannedSegment[] | undefined> {
  if (new TextDecoder().decode(head.subarray(0, FITS_MAGIC.length)) !== FITS_MAGIC) return undefined
  // The FITS reader (and Arrow behind it) loads only when a FITS file is met.
  const readers: Readers = await import('@astropack/readers/fits')
  const size = source.byteLength
  try {
    const scan = await readers.scanFits(source)
    if (scan.truncated) return undefined
    const typed: PlannedSegment[] = []
    for (const hdu of scan.hdus) {
      const segment =
        hdu.type === 'BINTABLE'
          ? tableSegment(readers, hdu)
          : hdu.type === 'TABLE'
            ? asciiTableSegment(readers, hdu)
            : hdu.type === 'primary' || hdu.type === 'IMAGE'
              ? imageSegment(hdu)
              : undefined
      if (segment) typed.push(segment)
    }
    return typed.length > 0 ? coverWithBytes(typed, size) : undefined
  } catch {
    return undefined // a FITS file our reader cannot parse is still packed, as opaque bytes
  }
}
