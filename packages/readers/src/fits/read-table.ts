import type { ByteSource } from '../byte-source.js'
import { type AsciiColumn, type AsciiTableLayout, asciiTableLayout, decodeAsciiField } from './ascii-table.js'
import { decodeBinaryField } from './bintable-decode.js'
import { type BinaryColumn, type BinaryTableLayout, binaryTableLayout } from './bintable-layout.js'
import { type ColumnData, type FieldData, toColumnData } from './column-data.js'
import { fitsError } from './errors.js'
import { type Descriptors, decodeHeapField, readDescriptors } from './heap.js'
import type { FitsHdu } from './scan.js'

export type TableLayout = BinaryTableLayout | AsciiTableLayout
export type TableColumn = BinaryColumn | AsciiColumn

/** The column layout of a BINTABLE or ASCII TABLE HDU. */
export function tableLayout(hdu: FitsHdu): TableLayout {
  if (hdu.type === 'BINTABLE') return binaryTableLayout(hdu)
  if (hdu.type === 'TABLE') return asciiTableLayout(hdu)
  throw fitsError('USAGE', { hdu: hdu.index, offset: hdu.headerStart }, `is ${hdu.type}, not a table`)
}

export interface ReadTableOptions {
  /** Column names (TTYPEn) to read, in this order; all columns when absent. */
  columns?: readonly string[]
  /** First row to read (default 0). */
  rowStart?: number
  /** Row after the last one to read (default: the row count). */
  rowEnd?: number
  /**
   * Apply TSCAL/TZERO, including the signed-byte and unsigned-integer conventions (default false: the stored
   * values, with TSCAL/TZERO/TNULL in each column's layout).
   */
  scale?: boolean
}

/** Reads and decodes columns of a table HDU over a range of rows. */
export async function readTableColumns(
  source: ByteSource,
  hdu: FitsHdu,
  options: ReadTableOptions = {},
): Promise<ColumnData[]> {
  const layout = tableLayout(hdu)
  const columns = selectColumns(layout, options.columns)
  const [rowStart, rowEnd] = rowRange(layout, options.rowStart, options.rowEnd)
  const fields = await readFieldBatch(source, layout, columns, rowStart, rowEnd, options.scale ?? false)
  return fields.map((field, i) => toColumnData(columns[i]!.name, field))
}

/** The named columns, in the order asked; NOT_FOUND for a name the table does not have. */
export function selectColumns(layout: TableLayout, names: readonly string[] | undefined): TableColumn[] {
  if (names === undefined) return layout.columns
  return names.map((name) => {
    const column = layout.columns.find((candidate) => candidate.name === name)
    if (column === undefined) {
      const known = layout.columns.map((candidate) => candidate.name).join(', ')
      throw fitsError(
        'NOT_FOUND',
        { hdu: layout.hdu, offset: layout.dataStart },
        `no column '${name}' (columns: ${known})`,
      )
    }
    return column
  })
}

export function rowRange(layout: TableLayout, start = 0, end = layout.rowCount): [number, number] {
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    end < start ||
    end > layout.rowCount
  ) {
    throw fitsError(
      'USAGE',
      { hdu: layout.hdu, offset: layout.dataStart },
      `rows ${start}..${end} outside 0..${layout.rowCount}`,
    )
  }
  return [start, end]
}

/** Reads rows [rowStart, rowEnd) with one read (plus one heap read for P/Q columns) and decodes the columns. */
export async function readFieldBatch(
  source: ByteSource,
  layout: TableLayout,
  columns: readonly TableColumn[],
  rowStart: number,
  rowEnd: number,
  scale: boolean,
): Promise<FieldData[]> {
  const rowCount = rowEnd - rowStart
  const from = layout.dataStart + rowStart * layout.rowBytes
  const rows = await readExactly(source, layout.hdu, from, from + rowCount * layout.rowBytes)
  if (layout.type === 'TABLE') {
    return (columns as AsciiColumn[]).map((column) => decodeAsciiField(rows, rowCount, layout, column, scale))
  }
  const binaryColumns = columns as BinaryColumn[]
  const descriptors = new Map<BinaryColumn, Descriptors>()
  let first = Number.POSITIVE_INFINITY
  let end = 0
  for (const column of binaryColumns) {
    if (column.form.type !== 'P' && column.form.type !== 'Q') continue
    const found = readDescriptors(rows, rowCount, layout, column, rowStart)
    descriptors.set(column, found)
    if (found.end > found.first) {
      first = Math.min(first, found.first)
      end = Math.max(end, found.end)
    }
  }
  const heapStart = first === Number.POSITIVE_INFINITY ? 0 : first
  const heapBytes =
    end > heapStart
      ? await readExactly(source, layout.hdu, layout.heapStart + heapStart, layout.heapStart + end)
      : new Uint8Array(0)
  const heap = { bytes: heapBytes, start: heapStart }
  return binaryColumns.map((column) => {
    const found = descriptors.get(column)
    if (found !== undefined) return decodeHeapField(found, heap, layout, column, scale)
    return decodeBinaryField(rows, rowCount, layout, column, { scale, firstRow: rowStart })
  })
}

async function readExactly(source: ByteSource, hdu: number, from: number, to: number): Promise<Uint8Array> {
  if (to > source.byteLength) {
    throw fitsError('TRUNCATED', { hdu, offset: source.byteLength }, `table data needs bytes up to ${to}`)
  }
  const bytes = await source.slice(from, to)
  if (bytes.length < to - from)
    throw fitsError('TRUNCATED', { hdu, offset: from + bytes.length }, 'short read')
  return bytes
}
