import { AstropackError } from '@astropack/codecs'
import {
  Bool,
  type Data,
  type DataType,
  Field,
  Float16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  util,
} from 'apache-arrow'
import type { ByteSource } from '../byte-source.js'
import { arrowType } from '../csv/arrow-type.js'
import { BatchBuilder } from '../csv/builders.js'
import { FieldClassifier } from '../csv/classify.js'
import { showBytes } from '../csv/errors.js'
import type { CsvColumn, CsvColumnType } from '../csv/infer.js'
import { END, REFILL, RecordReader } from '../csv/record-reader.js'
import { type CsvOptions, MAX_COLUMNS, readerLimits } from '../csv/scan.js'
import { COMMA } from '../csv/tokenize.js'
import { type EcsvColumn, type EcsvDatatype, type EcsvScan, SPACE, scanEcsv } from './scan.js'

export interface EcsvArrowOptions extends Pick<CsvOptions, 'sliceBytes' | 'maxRecordBytes'> {
  /** Rows per RecordBatch (default 65 536); a batch ends early once its rows span 32 MiB of text. */
  batchRows?: number
  /** The header from scanEcsv, to skip reading it again. */
  scan?: EcsvScan
}

const DEFAULT_BATCH_ROWS = 65_536
const MAX_BATCH_BYTES = 32 * 1024 * 1024

type ReadDatatype = Exclude<EcsvDatatype, 'float128' | 'complex64' | 'complex128' | 'complex256'>

/**
 * The CSV builders' type each datatype is read as, before it is narrowed to the declared one: small
 * integers as int32, uint32 as int64, floats as float64, uint64 as text (beyond int64, so parsed apart).
 */
const CARRIER: Record<ReadDatatype, CsvColumnType> = {
  bool: 'bool',
  int8: 'int32',
  int16: 'int32',
  int32: 'int32',
  int64: 'int64',
  uint8: 'int32',
  uint16: 'int32',
  uint32: 'int64',
  uint64: 'string',
  float16: 'float64',
  float32: 'float64',
  float64: 'float64',
  string: 'string',
}

const ARROW: Record<ReadDatatype, () => DataType> = {
  bool: () => new Bool(),
  int8: () => new Int8(),
  int16: () => new Int16(),
  int32: () => new Int32(),
  int64: () => new Int64(),
  uint8: () => new Uint8(),
  uint16: () => new Uint16(),
  uint32: () => new Uint32(),
  uint64: () => new Uint64(),
  float16: () => new Float16(),
  float32: () => new Float32(),
  float64: () => new Float64(),
  string: () => new Utf8(),
}

/** Integer ranges of the types read through an int32 or int64 carrier. */
const RANGE: Partial<
  Record<
    ReadDatatype,
    [number, number, new (size: number) => Int8Array | Int16Array | Uint8Array | Uint16Array | Uint32Array]
  >
> = {
  int8: [-128, 127, Int8Array],
  int16: [-32768, 32767, Int16Array],
  uint8: [0, 255, Uint8Array],
  uint16: [0, 65535, Uint16Array],
  uint32: [0, 4294967295, Uint32Array],
}

/** The smallest magnitudes that round to infinity in float32 and float16 (the largest finite plus half a step). */
const OVERFLOW = { float32: 2 ** 128 - 2 ** 103, float16: 65520 }

/** The datatype of a column this reader reads; UNSUPPORTED_FEATURE names any other. */
function readDatatype(column: EcsvColumn): ReadDatatype {
  if (column.subtype !== undefined) {
    throw new AstropackError(
      'UNSUPPORTED_FEATURE',
      `ECSV column '${column.name}' has subtype ${column.subtype} (arrays and objects are not read)`,
    )
  }
  if (!(column.datatype in CARRIER)) {
    throw new AstropackError('UNSUPPORTED_FEATURE', `ECSV column '${column.name}' is ${column.datatype}`)
  }
  return column.datatype as ReadDatatype
}

/** The Arrow schema of an ECSV table: the declared types; unit, description and format as field metadata. */
export function ecsvArrowSchema(scan: EcsvScan): Schema {
  const fields = scan.columns.map((column) => {
    const metadata = new Map<string, string>()
    if (column.unit !== undefined) metadata.set('unit', column.unit)
    if (column.description !== undefined) metadata.set('description', column.description)
    if (column.format !== undefined) metadata.set('ecsv.format', column.format)
    if (column.meta !== undefined) metadata.set('ecsv.meta', JSON.stringify(column.meta))
    return new Field(column.name, ARROW[readDatatype(column)](), true, metadata)
  })
  const metadata = new Map<string, string>([['ecsv.delimiter', scan.delimiter]])
  if (scan.meta !== undefined) metadata.set('ecsv.meta', JSON.stringify(scan.meta))
  if (scan.schema !== undefined) metadata.set('ecsv.schema', scan.schema)
  return new Schema(fields, metadata)
}

/**
 * Streams an ECSV table as Arrow RecordBatches of the types its header declares (nothing inferred),
 * holding one slice of the file and one batch at a time. Empty fields (`""` too) are nulls, as astropy
 * writes masked values. A value that does not fit its declared type, or a line of the wrong number of
 * values, stops the read with CORRUPT_CHUNK naming the line and column.
 */
export async function* readEcsvBatches(
  source: ByteSource,
  options: EcsvArrowOptions = {},
): AsyncGenerator<RecordBatch, void, undefined> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) {
    throw new AstropackError('USAGE', `batchRows must be a positive integer, not ${batchRows}`)
  }
  const scan = options.scan ?? (await scanEcsv(source))
  const schema = ecsvArrowSchema(scan)
  const columnCount = scan.columns.length
  const carriers: CsvColumn[] = scan.columns.map((c) => ({ name: c.name, type: CARRIER[readDatatype(c)] }))
  const carrierSchema = new Schema(carriers.map((c) => new Field(c.name, arrowType(c.type), true)))
  const delimiter = scan.delimiter === ',' ? COMMA : SPACE
  const reader = new RecordReader(source, scan.dataStart, 1, readerLimits(options))
  const line = (row: number) => scan.headerLines + row
  const mismatch = (column: CsvColumn, field: Uint8Array) => {
    const declared = scan.columns.find((c) => c.name === column.name)?.datatype
    return corrupt(line(reader.row as number), column.name, `${showBytes(field)} is not ${declared}`)
  }
  const batch = new BatchBuilder(carriers, { classifier: new FieldClassifier(['']), reader, mismatch })
  let firstRow = 1
  const finish = () => {
    const rows = batch.rows
    const out = narrow(batch.finish(carrierSchema), schema, scan, line(firstRow))
    firstRow += rows
    return out
  }
  for (;;) {
    const status = reader.read(delimiter, MAX_COLUMNS)
    if (status === REFILL) {
      await reader.refill()
      continue
    }
    if (status === END) break
    const count = reader.spans.count
    if (count !== columnCount) {
      throw new AstropackError(
        'CORRUPT_CHUNK',
        `ECSV line ${line(reader.row as number)}: ${count} values where the header declares ${columnCount} columns`,
      )
    }
    batch.add(true)
    if (batch.rows === batchRows || batch.bytes >= MAX_BATCH_BYTES) yield finish()
  }
  if (batch.rows > 0) yield finish()
}

function corrupt(line: number, column: string, text: string): AstropackError {
  return new AstropackError('CORRUPT_CHUNK', `ECSV line ${line}, column '${column}': ${text}`)
}

/** The batch as read (carrier types) with each column in its declared type; `firstLine` is its first row's. */
function narrow(batch: RecordBatch, schema: Schema, scan: EcsvScan, firstLine: number): RecordBatch {
  const children = scan.columns.map((column, c) => {
    const data = batch.getChildAt(c)!.data[0]!
    return narrowColumn(data, column, schema.fields[c]!.type, firstLine)
  })
  const struct = makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children })
  return new RecordBatch(schema, struct)
}

function narrowColumn(data: Data, column: EcsvColumn, type: DataType, firstLine: number): Data {
  const datatype = column.datatype as ReadDatatype
  const { length, nullCount, nullBitmap } = data
  const valid = (i: number) => nullBitmap === undefined || ((nullBitmap[i >> 3]! >> (i & 7)) & 1) === 1
  const fail = (i: number, value: unknown) =>
    corrupt(firstLine + i, column.name, `${value} does not fit ${datatype}`)
  const made = (values: ArrayBufferView) =>
    makeData({ type, length, nullCount, nullBitmap, data: values } as never) as Data
  const range = RANGE[datatype]
  if (range !== undefined) {
    const [min, max, Out] = range
    const values = data.values as Int32Array | BigInt64Array
    const out = new Out(length)
    for (let i = 0; i < length; i++) {
      if (!valid(i)) continue
      const value = Number(values[i])
      if (value < min || value > max) throw fail(i, values[i])
      out[i] = value
    }
    return made(out)
  }
  if (datatype === 'float32' || datatype === 'float16') {
    const values = data.values as Float64Array
    const out = datatype === 'float32' ? new Float32Array(length) : new Uint16Array(length)
    for (let i = 0; i < length; i++) {
      const value = values[i]!
      // A finite value that the narrower float can only hold as infinity does not fit it.
      if (Number.isFinite(value) && Math.abs(value) >= OVERFLOW[datatype] && valid(i)) throw fail(i, value)
      out[i] = datatype === 'float32' ? value : util.float64ToUint16(value)
    }
    return made(out)
  }
  if (datatype === 'uint64') return uint64Column(data, made, valid, fail)
  return data
}

const MAX_UINT64 = 2n ** 64n - 1n
const latin1 = new TextDecoder('latin1')

/** uint64 values, read as text (beyond int64) and parsed here. */
function uint64Column(
  data: Data,
  made: (values: ArrayBufferView) => Data,
  valid: (i: number) => boolean,
  fail: (i: number, value: unknown) => Error,
): Data {
  const offsets = data.valueOffsets as Int32Array
  const bytes = data.values as Uint8Array
  const out = new BigUint64Array(data.length)
  for (let i = 0; i < data.length; i++) {
    if (!valid(i)) continue
    const text = latin1.decode(bytes.subarray(offsets[i], offsets[i + 1])).trim()
    if (!/^\+?\d+$/.test(text) || BigInt(text) > MAX_UINT64) throw fail(i, `'${text}'`)
    out[i] = BigInt(text)
  }
  return made(out)
}
