import {
  type Data,
  DataType,
  FixedSizeList,
  List,
  makeData,
  RecordBatch,
  type Schema,
  Struct,
} from 'apache-arrow'
import type { ByteSource } from '../byte-source.js'
import { fitsArrowSchema } from './arrow-schema.js'
import { packBitmap } from './bits.js'
import { type FieldData, isUtf8 } from './column-data.js'
import { fitsError } from './errors.js'
import { readFieldBatch, rowRange, selectColumns, tableLayout } from './read-table.js'
import type { FitsHdu } from './scan.js'

export interface FitsArrowOptions {
  /** Column names (TTYPEn) to convert, in this order; all columns when absent. */
  columns?: readonly string[]
  /** Rows per RecordBatch; by default as many as fill about 16 MiB of FITS rows (at most 1M). */
  batchRows?: number
  rowStart?: number
  rowEnd?: number
  /** Apply TSCAL/TZERO (default true); when false the stored values are kept and TSCAL/TZERO go to metadata. */
  scale?: boolean
}

const TARGET_BATCH_BYTES = 16 * 1024 * 1024
const MAX_BATCH_ROWS = 1 << 20

/**
 * Streams a BINTABLE or ASCII TABLE HDU as Arrow RecordBatches, reading one batch of rows at a time, so a
 * table far larger than memory converts in constant memory. Every batch has the schema `fitsTableArrowSchema` gives.
 */
export async function* fitsTableToArrow(
  source: ByteSource,
  hdu: FitsHdu,
  options: FitsArrowOptions = {},
): AsyncGenerator<RecordBatch, void, undefined> {
  const layout = tableLayout(hdu)
  const columns = selectColumns(layout, options.columns)
  const scale = options.scale ?? true
  const schema = fitsArrowSchema(layout, columns, scale, hdu.extname)
  const [rowStart, rowEnd] = rowRange(layout, options.rowStart, options.rowEnd)
  const batchRows = options.batchRows ?? defaultBatchRows(layout.rowBytes)
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) {
    throw fitsError(
      'USAGE',
      { hdu: hdu.index, offset: hdu.dataStart },
      `batchRows must be a positive integer, not ${batchRows}`,
    )
  }
  for (let start = rowStart; start < rowEnd; start += batchRows) {
    const end = Math.min(rowEnd, start + batchRows)
    const fields = await readFieldBatch(source, layout, columns, start, end, scale)
    yield fieldsToRecordBatch(schema, fields, end - start)
  }
}

/** The Arrow schema fitsTableToArrow will use for this HDU and these options. */
export function fitsTableArrowSchema(
  hdu: FitsHdu,
  options: Pick<FitsArrowOptions, 'columns' | 'scale'> = {},
): Schema {
  const layout = tableLayout(hdu)
  return fitsArrowSchema(layout, selectColumns(layout, options.columns), options.scale ?? true, hdu.extname)
}

function defaultBatchRows(rowBytes: number): number {
  return Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(TARGET_BATCH_BYTES / Math.max(1, rowBytes))))
}

export function fieldsToRecordBatch(
  schema: Schema,
  fields: readonly FieldData[],
  rowCount: number,
): RecordBatch {
  const children = fields.map((field, i) => buildData(schema.fields[i]!.type, rowCount, field))
  const struct = makeData({ type: new Struct(schema.fields), length: rowCount, nullCount: 0, children })
  return new RecordBatch(schema, struct)
}

/** Builds the Arrow Data of `type` over the flat values of a field: nested lists first, then the leaf. */
function buildData(type: DataType, length: number, field: FieldData): Data {
  if (type instanceof FixedSizeList) {
    const child = buildData(type.valueType, length * type.listSize, field)
    return makeData({ type, length, nullCount: 0, child })
  }
  if (type instanceof List) {
    const offsets = field.offsets!
    // Offsets count numbers; a complex element is two of them.
    const width = type.valueType instanceof FixedSizeList ? type.valueType.listSize : 1
    const valueOffsets = width === 1 ? offsets : offsets.map((offset) => offset / width)
    const child = buildData(type.valueType, valueOffsets[valueOffsets.length - 1]!, field)
    return makeData({ type, length, nullCount: 0, valueOffsets, child })
  }
  return leafData(type, length, field)
}

function leafData(type: DataType, length: number, field: FieldData): Data {
  const { values, nulls } = field
  if (isUtf8(values)) {
    return makeData({
      type: type as never,
      length,
      nullCount: 0,
      valueOffsets: values.offsets,
      data: values.bytes,
    } as never)
  }
  const nullCount = nulls === undefined ? 0 : countNulls(nulls)
  const nullBitmap = nullCount === 0 ? undefined : packBitmap(nulls!, true)
  const data = DataType.isBool(type) ? packBitmap(values as Uint8Array) : values
  return makeData({ type: type as never, length, nullCount, nullBitmap, data } as never)
}

function countNulls(nulls: Uint8Array): number {
  let count = 0
  for (let i = 0; i < nulls.length; i++) count += nulls[i]!
  return count
}
