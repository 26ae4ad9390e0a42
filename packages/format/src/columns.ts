import { type ByteChunk, chunksOfRange, datasetChunks, readDatasetColumn } from './dataset-columns.js'
import { AstropackError } from './errors.js'
import { parseFitsForm } from './fits-forms.js'
import type { EntryRecord } from './index-sections.js'
import type { ManifestColumn, ManifestTable } from './manifest.js'
import { parseNumpyType } from './numpy-types.js'
import type { PackageReader } from './reader.js'
import { isPredictedRows, predictedRowSources, resolvePredictedRows } from './rows-predicted.js'
import type { RowsLayout, SegmentRecord } from './typed-sections.js'

/**
 * The table view (SPEC §7.3): one column of a table stored as a rows segment, or stored on its own (an
 * HDF5 dataset), read from that column's chunks only, so a column of a remote package costs its own
 * stored bytes plus the index.
 */

export interface ColumnRef {
  /** The entry (file) holding the table. */
  entry: string
  /**
   * Which table of the entry: its FITS HDU number, or its name. Optional when only one table of the entry
   * has the column.
   */
  table?: number | string
  /** The column's name (FITS TTYPE); matched exactly, else case-insensitively when that is unique. */
  column: string
}

export interface ReadColumnOptions extends ColumnRef {
  /** Rows [start, end) to read; every row when absent. */
  rows?: readonly [start: number, end: number]
}

export type RowsSegment = SegmentRecord & RowsLayout

/** Where a column's bytes are: in a rows segment, or on their own (a column with a `dataOffset`). */
export type ColumnLocation = RowsColumnLocation | DatasetColumnLocation

interface LocatedColumn {
  entry: EntryRecord
  table: ManifestTable
  column: ManifestColumn
  /** Bytes the field takes in each row. */
  width: number
  rowCount: number
}

/** A column of a rows segment: its table's segment and the slot it has there. */
export interface RowsColumnLocation extends LocatedColumn {
  kind: 'rows'
  /** The (first) segment holding the table's rows. */
  segment: RowsSegment
  /** The column's position among the segment's columns: which chunk of each group holds it. */
  slot: number
  /** Every segment holding the table's rows, in row order (one but for chunked HDF5 tables). */
  parts: RowsPart[]
}

/** One of the segments a table's rows lie in: its rows are the table's from `firstRow` on. */
export interface RowsPart {
  segment: RowsSegment
  slot: number
  firstRow: number
}

/** A column stored on its own: `rowCount × width` bytes from `dataOffset` in the file, in these chunks. */
export interface DatasetColumnLocation extends LocatedColumn {
  kind: 'dataset'
  dataOffset: number
  chunks: ByteChunk[]
}

/** A run of consecutive rows of one column, as read from one group's chunk. */
export interface ColumnPiece {
  /** Table row of the first value. */
  firstRow: number
  rowCount: number
  /** The field's bytes from each row, row after row, exactly as in the original file (FITS: big-endian). */
  bytes: Uint8Array
}

/** A column's table in the manifest (FITS or text), and the column's index there; reads nothing. */
export function findColumn(
  reader: PackageReader,
  ref: ColumnRef,
): { entry: EntryRecord; tables: ManifestTable[]; table: ManifestTable; index: number } {
  const entry = reader.entry(ref.entry)
  const tables = (reader.manifest.tables ?? []).filter((table) => table.entry === entry.path)
  const table = pickTable(tables, ref)
  const index = columnIndex(table, ref.column)
  if (index < 0) {
    const known = table.columns.map((column) => column.name).join(', ')
    throw new AstropackError(
      'NOT_FOUND',
      `no column ${JSON.stringify(ref.column)} in ${describeTable(table)} (columns: ${known})`,
    )
  }
  return { entry, tables, table, index }
}

/** Finds a table column's segment and chunks from the manifest and index; reads nothing. */
export function locateColumn(reader: PackageReader, ref: ColumnRef): ColumnLocation {
  const { entry, tables, table, index } = findColumn(reader, ref)
  const column = table.columns[index]!
  if (column.dataOffset !== undefined)
    return locateInColumns(reader, entry, table, column) ?? locateDataset(reader, entry, table, column)
  const parts: RowsPart[] = []
  let firstRow = 0
  let width = 0
  for (const segment of segmentsOf(reader, entry, tables, table)) {
    const placed = columnSlot(table, index, segment)
    parts.push({ segment, slot: placed.slot, firstRow })
    width = placed.width
    firstRow += segment.rowCount
  }
  const { segment, slot } = parts[0]!
  // A chunked HDF5 table is its segments' first `rows` rows: its last chunk runs past its end (SPEC §7.3).
  const rowCount = Math.min(firstRow, table.rows ?? firstRow)
  return { kind: 'rows', entry, table, column, segment, slot, parts, width, rowCount }
}

/**
 * A column stored on its own that is a column of a column-major rows segment (HDF5 datasets of one length
 * side by side, SPEC §7.3): the segment column whose bytes start at its `dataOffset`, with its width.
 */
function locateInColumns(
  reader: PackageReader,
  entry: EntryRecord,
  table: ManifestTable,
  column: ManifestColumn,
): RowsColumnLocation | undefined {
  const width = fieldWidth(table, column)
  for (const segment of reader.segmentsOf(entry) ?? []) {
    if (segment.layout !== 'rows' || !segment.columnMajor) continue
    const slot = segment.columns.findIndex(
      (slice) =>
        segment.rawOffset + slice.offset * segment.rowCount === column.dataOffset && slice.width === width,
    )
    if (slot < 0) continue
    const rowCount = table.rows ?? segment.rowCount
    if (rowCount > segment.rowCount) {
      throw new AstropackError(
        'BAD_MANIFEST',
        `${describeTable(table)} has ${rowCount} rows in the manifest, ${segment.rowCount} in the index`,
      )
    }
    const parts = [{ segment, slot, firstRow: 0 }]
    return { kind: 'rows', entry, table, column, segment, slot, parts, width: width!, rowCount }
  }
  return undefined
}

function locateDataset(
  reader: PackageReader,
  entry: EntryRecord,
  table: ManifestTable,
  column: ManifestColumn,
): DatasetColumnLocation {
  const width = fieldWidth(table, column)
  const rowCount = table.rows
  const dataOffset = column.dataOffset!
  if (width === undefined || width === 0 || rowCount === undefined) {
    throw new AstropackError(
      'BAD_MANIFEST',
      `column ${JSON.stringify(column.name)} of ${describeTable(table)} is stored on its own but has no ${width ? 'row count' : 'type with a width'}`,
    )
  }
  const chunks = chunksOfRange(reader, entry, dataOffset, dataOffset + rowCount * width)
  return { kind: 'dataset', entry, table, column, width, rowCount, dataOffset, chunks }
}

/** The indexes of the column's chunks that hold rows [start, end), in row order. */
export function columnChunkIndexes(location: ColumnLocation, rows?: readonly [number, number]): number[] {
  const [start, end] = rowRange(rows, location.rowCount)
  if (location.kind === 'dataset') return datasetChunks(location, start, end).map((chunk) => chunk.index)
  return location.parts.flatMap((part) => {
    const groups = groupsOf(part, start, end)
    return groups ? groupChunkIndexes(part.segment, part.slot, ...groups) : []
  })
}

/** The groups [from, to) of a table's segment that hold table rows [start, end), if any. */
function groupsOf(
  { segment, firstRow }: RowsPart,
  start: number,
  end: number,
): [from: number, to: number] | undefined {
  const from = Math.max(start, firstRow) - firstRow
  const to = Math.min(end, firstRow + segment.rowCount) - firstRow
  if (from >= to) return undefined
  return [Math.floor(from / segment.rowsPerGroup), Math.ceil(to / segment.rowsPerGroup)]
}

/** The chunks of column `slot` in groups [from, to) of a rows segment. */
function groupChunkIndexes(segment: RowsSegment, slot: number, from: number, to: number): number[] {
  return Array.from(
    { length: to - from },
    (_, g) => segment.firstChunk + (from + g) * segment.columns.length + slot,
  )
}

/**
 * Yields a column's bytes group by group for rows [start, end): only that column's chunks of the groups
 * overlapping the range are read (each its own range request: other columns lie between them) and
 * decoded; the first and last groups are cut to the range.
 */
export async function* readColumn(
  reader: PackageReader,
  options: ReadColumnOptions,
): AsyncGenerator<ColumnPiece> {
  yield* readLocatedColumn(reader, locateColumn(reader, options), options.rows)
}

/** readColumn for a column already located. */
export async function* readLocatedColumn(
  reader: PackageReader,
  location: ColumnLocation,
  rows?: readonly [number, number],
): AsyncGenerator<ColumnPiece> {
  const [start, end] = rowRange(rows, location.rowCount)
  if (location.kind === 'dataset') return yield* readDatasetColumn(reader, location, start, end)
  const { width } = location
  for (const part of location.parts) {
    const groups = groupsOf(part, start, end)
    if (!groups) continue
    const { rowsPerGroup } = part.segment
    let groupStart = part.firstRow + groups[0] * rowsPerGroup
    for await (const values of readGroupValues(reader, part.segment, part.slot, ...groups)) {
      const first = Math.max(start, groupStart)
      const last = Math.min(end, groupStart + values.byteLength / width)
      yield {
        firstRow: first,
        rowCount: last - first,
        bytes: values.subarray((first - groupStart) * width, (last - groupStart) * width),
      }
      groupStart += rowsPerGroup
    }
  }
}

/**
 * The values of column `slot` of a rows segment, group by group for groups [from, to): its chunks read in
 * one pass, a predicted or ranked one resolved with its sources from the same group.
 */
export async function* readGroupValues(
  reader: PackageReader,
  segment: RowsSegment,
  slot: number,
  from: number,
  to: number,
): AsyncGenerator<Uint8Array> {
  const { width } = segment.columns[slot]!
  let group = from
  for await (const { chunk, stored } of reader.readStored(groupChunkIndexes(segment, slot, from, to))) {
    const values = await reader.decode(chunk, stored)
    const rows = Math.min(segment.rowsPerGroup, segment.rowCount - group * segment.rowsPerGroup)
    yield isPredictedRows(values, width, rows)
      ? await resolveWithSources(reader, segment, group, values, width, rows)
      : values
    group++
  }
}

/** A predicted chunk of group `group` resolved with its sources, read from the same group (SPEC §7.3). */
async function resolveWithSources(
  reader: PackageReader,
  segment: RowsSegment,
  group: number,
  chunk: Uint8Array,
  width: number,
  rows: number,
): Promise<Uint8Array> {
  const first = segment.firstChunk + group * segment.columns.length
  const sources = await decodeGroupChunks(reader, first, predictedRowSources(chunk), segment.columns.length)
  return resolvePredictedRows(chunk, width, rows, (c) => {
    const bytes = sources.get(c)
    return bytes && { bytes, width: segment.columns[c]!.width }
  })
}

/**
 * The decoded chunks of `columns` (those below `columnCount`) of a table group whose first chunk is
 * `first`, by column: a predicted column's sources, read in one request where they lie side by side.
 */
export async function decodeGroupChunks(
  reader: PackageReader,
  first: number,
  columns: readonly number[],
  columnCount: number,
): Promise<Map<number, Uint8Array>> {
  const decoded = new Map<number, Uint8Array>()
  const indexes = columns.filter((c) => c < columnCount).map((c) => first + c)
  for await (const { index, chunk, stored } of reader.readStored(indexes))
    decoded.set(index - first, await reader.decode(chunk, stored))
  return decoded
}

/** [start, end) checked against the table: integers, 0 <= start <= end <= rowCount. */
function rowRange(rows: readonly [number, number] | undefined, rowCount: number): [number, number] {
  if (rows === undefined) return [0, rowCount]
  const [start, end] = rows
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    start > end ||
    end > rowCount
  ) {
    throw new AstropackError(
      'USAGE',
      `rows [${start}, ${end}) are not a range of the table's ${rowCount} rows`,
    )
  }
  return [start, end]
}

/** `HDU 2 "EVENTS"`, `HDU 1` (unnamed) or `"stars.csv"`. */
function tableName(table: ManifestTable): string {
  if (table.hdu === undefined) return JSON.stringify(table.name)
  return table.name === `HDU ${table.hdu}` ? table.name : `HDU ${table.hdu} ${JSON.stringify(table.name)}`
}

function describeTable(table: ManifestTable): string {
  return `table ${tableName(table)} of ${JSON.stringify(table.entry)}`
}

function columnIndex(table: ManifestTable, name: string): number {
  const exact = table.columns.findIndex((column) => column.name === name)
  if (exact >= 0) return exact
  // FITS column names are case-insensitive; only a unique match is taken.
  const lower = name.toLowerCase()
  const loose = table.columns.flatMap((column, i) => (column.name.toLowerCase() === lower ? [i] : []))
  return loose.length === 1 ? loose[0]! : -1
}

/** The table asked for; without one, the only table of the entry that has the column. */
function pickTable(tables: ManifestTable[], ref: ColumnRef): ManifestTable {
  const where = JSON.stringify(ref.entry)
  if (tables.length === 0) throw new AstropackError('NOT_FOUND', `no table was recognised in ${where}`)
  const known = () => tables.map(tableName).join(', ')
  if (ref.table !== undefined) {
    const wanted = ref.table
    const matches = tables.filter((table) => (typeof wanted === 'number' ? table.hdu : table.name) === wanted)
    const what = typeof wanted === 'number' ? `HDU ${wanted}` : JSON.stringify(wanted)
    if (matches.length === 0)
      throw new AstropackError('NOT_FOUND', `no table ${what} in ${where} (tables: ${known()})`)
    if (matches.length > 1)
      throw new AstropackError('USAGE', `several tables of ${where} are named ${what}: choose by HDU number`)
    return matches[0]!
  }
  if (tables.length === 1) return tables[0]!
  const withColumn = tables.filter((table) => columnIndex(table, ref.column) >= 0)
  if (withColumn.length === 1) return withColumn[0]!
  if (withColumn.length === 0) {
    throw new AstropackError(
      'NOT_FOUND',
      `no table of ${where} has a column ${JSON.stringify(ref.column)} (tables: ${known()})`,
    )
  }
  throw new AstropackError(
    'USAGE',
    `several tables of ${where} have a column ${JSON.stringify(ref.column)}: choose one (${known()})`,
  )
}

/**
 * The rows segments a manifest table is stored as: the typed segment starting at its `dataOffset` (and at
 * each of its `segments`, in order), or, in packages written before that field, the typed segment in the
 * same position as the table among the entry's tables (the packer records both in file order).
 */
function segmentsOf(
  reader: PackageReader,
  entry: EntryRecord,
  tables: ManifestTable[],
  table: ManifestTable,
): RowsSegment[] {
  const typed = (reader.segmentsOf(entry) ?? []).filter((segment) => segment.layout !== 'bytes')
  const offsets = table.segments ?? (table.dataOffset === undefined ? undefined : [table.dataOffset])
  if (offsets !== undefined && table.dataOffset !== undefined && offsets[0] !== table.dataOffset)
    throw new AstropackError('BAD_MANIFEST', `${describeTable(table)} starts at two offsets`)
  const found =
    offsets === undefined
      ? [typed[tables.indexOf(table)]]
      : offsets.map((offset) => typed.find((candidate) => candidate.rawOffset === offset))
  const segments: RowsSegment[] = []
  for (const segment of found) {
    if (segment === undefined) {
      throw new AstropackError('BAD_MANIFEST', `${describeTable(table)} is not stored by column in the index`)
    }
    if (segment.layout !== 'rows') {
      throw new AstropackError(
        'USAGE',
        `${describeTable(table)} is a ${table.source} text table: its columns are read as values, not bytes`,
      )
    }
    segments.push(segment)
  }
  // An HDF5 table may end before its segments (a chunked dataset's last chunk); others fill theirs.
  const held = segments.reduce((sum, segment) => sum + segment.rowCount, 0)
  const rows = table.rows
  if (
    (segments.length > 1 && table.source !== 'hdf5') ||
    new Set(segments.map((segment) => segment.rowWidth)).size > 1 ||
    (rows !== undefined && (rows > held || (table.source !== 'hdf5' && rows !== held)))
  ) {
    throw new AstropackError(
      'BAD_MANIFEST',
      `${describeTable(table)} has ${table.rows} rows in the manifest, ${held} in the index`,
    )
  }
  return segments
}

/**
 * Which of the segment's columns holds manifest column `index`. Field widths come from the types (FITS
 * TFORMs, numpy names for HDF5): the packer leaves zero-width fields out of the segment and adds columns
 * for bytes no field covers, so the column is matched by its offset (`fieldOffset`, else the widths
 * before it) and width in the row rather than by position.
 */
function columnSlot(
  table: ManifestTable,
  index: number,
  segment: RowsSegment,
): { slot: number; width: number } {
  const column = table.columns[index]!
  const widths = table.columns.map((candidate) => fieldWidth(table, candidate))
  if (widths.every((width) => width !== undefined)) {
    const width = widths[index]!
    if (width === 0) {
      throw new AstropackError(
        'USAGE',
        `column ${JSON.stringify(column.name)} (${column.type}) holds no bytes`,
      )
    }
    const offset = column.fieldOffset ?? widths.slice(0, index).reduce((sum, w) => sum + w, 0)
    const slot = segment.columns.findIndex((slice) => slice.offset === offset && slice.width === width)
    if (slot >= 0) return { slot, width }
    throw new AstropackError(
      'BAD_MANIFEST',
      `column ${JSON.stringify(column.name)} of ${describeTable(table)} is not where its type puts it`,
    )
  }
  // Without usable types, the segment's columns are the manifest's, in order.
  if (table.columns.length !== segment.columns.length) {
    throw new AstropackError('BAD_MANIFEST', `the columns of ${describeTable(table)} do not match the index`)
  }
  return { slot: index, width: segment.columns[index]!.width }
}

/** Bytes a field takes in a row, from its type: a numpy name for HDF5 tables, else a FITS TFORM. */
function fieldWidth(table: ManifestTable, column: ManifestColumn): number | undefined {
  return table.source === 'hdf5' ? parseNumpyType(column.type)?.width : parseFitsForm(column.type)?.width
}
