import {
  Bool,
  type DataType,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  type RecordBatch,
  Schema,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
} from 'apache-arrow'
import { fieldsToRecordBatch } from '../fits/arrow.js'
import type { FieldData } from '../fits/column-data.js'
import { decodeColumn, variableStrings } from './decode.js'
import { hdf5Error } from './errors.js'
import { closeHdf5, type OpenHdf5, openHdf5, readRows } from './h5wasm.js'
import {
  type Hdf5Column,
  type Hdf5ElementType,
  type Hdf5Table,
  type Hdf5TableSelection,
  resolveTable,
} from './table.js'
import { typeName } from './types.js'

export interface Hdf5ArrowOptions extends Hdf5TableSelection {
  /** Rows per RecordBatch; by default as many as fill about 16 MiB of stored rows (at most 1M). */
  batchRows?: number
}

const TARGET_BATCH_BYTES = 16 * 1024 * 1024
const MAX_BATCH_ROWS = 1 << 20
/** What a variable-length string is assumed to take when sizing batches. */
const VARIABLE_STRING_BYTES = 32

/**
 * Streams a table of an HDF5 file as Arrow RecordBatches: a compound dataset (members are columns) or a
 * group of datasets of one length (datasets are columns). Each batch is one slice of rows read through the
 * HDF5 library, so memory holds one batch, not the file.
 */
export async function* hdf5TableToArrow(
  path: string,
  options: Hdf5ArrowOptions,
): AsyncGenerator<RecordBatch, void, undefined> {
  const open = await openHdf5(path)
  try {
    const table = resolveTable(open, options)
    const schema = tableSchema(table)
    const batchRows = options.batchRows ?? defaultBatchRows(table)
    if (!Number.isSafeInteger(batchRows) || batchRows < 1) {
      throw hdf5Error('USAGE', { file: open.name }, `batchRows must be a positive integer, not ${batchRows}`)
    }
    for (let start = 0; start < table.rows; start += batchRows) {
      const end = Math.min(table.rows, start + batchRows)
      yield fieldsToRecordBatch(schema, readBatch(open, table, start, end), end - start)
    }
  } finally {
    closeHdf5(open)
  }
}

/** The Arrow schema hdf5TableToArrow gives for this table. */
export async function hdf5TableArrowSchema(path: string, selection: Hdf5TableSelection): Promise<Schema> {
  const open = await openHdf5(path)
  try {
    return tableSchema(resolveTable(open, selection))
  } finally {
    closeHdf5(open)
  }
}

function readBatch(open: OpenHdf5, table: Hdf5Table, start: number, end: number): FieldData[] {
  const rows = end - start
  if (table.kind === 'compound') {
    // One read of the compound rows serves every member column.
    const first = table.columns[0]!
    const rowBytes = first.info.type.size
    const raw = readRows(open, first.dataset, first.info.shape, rowBytes, start, end)
    return table.columns.map((column) => decodeColumn(open.name, column, raw, rowBytes, rows))
  }
  return table.columns.map((column) => {
    const { element, perRow } = column
    if (element.class === 'string' && element.variable) {
      const values = variableStrings(open, column.dataset, start, end)
      return {
        kind: 'string',
        rowCount: rows,
        perRow,
        values,
        nulls: undefined,
        offsets: undefined,
        scaled: false,
      }
    }
    const rowBytes = element.size * perRow
    const raw = readRows(open, column.dataset, column.info.shape, rowBytes, start, end)
    return decodeColumn(open.name, column, raw, rowBytes, rows)
  })
}

function tableSchema(table: Hdf5Table): Schema {
  const metadata = new Map([
    ['hdf5.path', table.path],
    ['hdf5.table', table.kind],
  ])
  return new Schema(table.columns.map(arrowField), metadata)
}

function arrowField(column: Hdf5Column): Field {
  const metadata = new Map<string, string>()
  // A compound member has no attributes of its own; the dataset's unit would be wrong for it.
  if (column.info.type.class !== 'compound') {
    const { unit, ucd, description } = column.info
    if (unit !== undefined) metadata.set('unit', unit)
    if (ucd !== undefined) metadata.set('ucd', ucd)
    if (description !== undefined) metadata.set('description', description)
  }
  metadata.set('hdf5.dataset', column.info.path)
  metadata.set('hdf5.type', typeName(column.info.type))
  const element = elementArrowType(column.element)
  // Only a boolean can be null: a byte that is neither FALSE nor TRUE.
  const nullable = column.element.class === 'boolean'
  const type =
    column.perRow === 1 ? element : new FixedSizeList(column.perRow, new Field('item', element, nullable))
  return new Field(column.name, type, nullable, metadata)
}

function elementArrowType(element: Hdf5ElementType): DataType {
  if (element.class === 'string') return new Utf8()
  if (element.class === 'boolean') return new Bool()
  if (element.class === 'float') return element.size === 8 ? new Float64() : new Float32()
  const types = element.signed
    ? { 1: Int8, 2: Int16, 4: Int32, 8: Int64 }
    : { 1: Uint8, 2: Uint16, 4: Uint32, 8: Uint64 }
  return new types[element.size as 1 | 2 | 4 | 8]()
}

function defaultBatchRows(table: Hdf5Table): number {
  const rowBytes =
    table.kind === 'compound'
      ? table.columns[0]!.info.type.size
      : table.columns.reduce(
          (sum, { element, perRow }) =>
            sum +
            perRow * (element.class === 'string' && element.variable ? VARIABLE_STRING_BYTES : element.size),
          0,
        )
  return Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(TARGET_BATCH_BYTES / Math.max(1, rowBytes))))
}
