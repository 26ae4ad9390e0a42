import { AstropackError } from '@astropack/codecs'
import {
  type ColumnLocation,
  type ColumnPiece,
  concatBytes,
  locateColumn,
  type ManifestColumn,
  type ManifestTable,
  type NumpyType,
  type PackageReader,
  parseNumpyType,
  readLocatedColumn,
} from '@astropack/format'
import {
  Bool,
  type Data,
  type DataType,
  Field,
  FixedSizeList,
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
  vectorFromArray,
} from 'apache-arrow'
import { describeTable } from './choose-table.js'
import type { TableStream } from './table-stream.js'

/**
 * An HDF5 table of the package (a compound dataset, or a group of 1-D datasets) as Arrow batches, built
 * from its columns' stored bytes through the table view: each column is read from its own chunks, in row
 * ranges, so memory holds one batch plus one decoded chunk per column.
 */

/** Batches of about this many bytes of rows (a rows table's batches are its stored row groups). */
const TARGET_BATCH_BYTES = 8 * 1024 * 1024
const MAX_BATCH_ROWS = 1 << 20

/** The Arrow element types of numpy's numeric kinds and sizes, and the typed arrays that hold them. */
const NUMERIC = {
  i1: [Int8, Int8Array],
  u1: [Uint8, Uint8Array],
  i2: [Int16, Int16Array],
  u2: [Uint16, Uint16Array],
  i4: [Int32, Int32Array],
  u4: [Uint32, Uint32Array],
  i8: [Int64, BigInt64Array],
  u8: [Uint64, BigUint64Array],
  f4: [Float32, Float32Array],
  f8: [Float64, Float64Array],
} as const

type NumericCode = keyof typeof NUMERIC

interface ColumnPlan {
  location: ColumnLocation
  type: NumpyType
  field: Field
}

export function openHdf5TableStream(reader: PackageReader, table: ManifestTable): TableStream {
  const plans = table.columns.map((column): ColumnPlan => {
    const location = locateColumn(reader, { entry: table.entry, table: table.name, column: column.name })
    const type = parseNumpyType(column.type)
    if (type === undefined || elementType(type) === undefined) {
      throw new AstropackError(
        'USAGE',
        `column ${JSON.stringify(column.name)} of ${describeTable(table)} is ${column.type ?? 'untyped'}, which export does not read`,
      )
    }
    return { location, type, field: arrowField(column, type) }
  })
  const rowCount = plans[0]?.location.rowCount ?? 0
  if (plans.some((plan) => plan.location.rowCount !== rowCount)) {
    throw new AstropackError('BAD_MANIFEST', `the columns of ${describeTable(table)} differ in length`)
  }
  const rowBytes = plans.reduce((sum, plan) => sum + plan.type.width, 0)
  const first = plans[0]?.location
  const batchRows =
    first?.kind === 'rows'
      ? Math.min(first.segment.rowsPerGroup, MAX_BATCH_ROWS)
      : Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(TARGET_BATCH_BYTES / Math.max(1, rowBytes))))
  const schema = new Schema(
    plans.map((plan) => plan.field),
    new Map([
      ['hdf5.path', table.name],
      ['hdf5.table', first?.kind === 'dataset' ? 'group' : 'compound'],
    ]),
  )
  const stats = { decoded: 0, cacheHits: 0 }
  const read = () => batches(reader, plans, schema, rowCount, batchRows, stats)
  return { table, schema, rowCount, tableBytes: rowCount * rowBytes, batches: read(), reread: read, stats }
}

async function* batches(
  reader: PackageReader,
  plans: ColumnPlan[],
  schema: Schema,
  rowCount: number,
  batchRows: number,
  stats: TableStream['stats'],
): AsyncGenerator<RecordBatch, void, undefined> {
  const cursors = plans.map(
    (plan) => new ColumnCursor(readLocatedColumn(reader, plan.location), plan.type.width, stats),
  )
  for (let start = 0; start < rowCount; start += batchRows) {
    const rows = Math.min(batchRows, rowCount - start)
    const children: Data[] = []
    for (const [c, plan] of plans.entries()) {
      children.push(columnData(plan, rows, await cursors[c]!.take(rows)))
    }
    const struct = makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children })
    yield new RecordBatch(schema, struct)
  }
}

/** One column's bytes handed out in runs of rows, as they come from its pieces (one chunk each). */
class ColumnCursor {
  #held: Uint8Array = new Uint8Array(0)

  constructor(
    readonly pieces: AsyncGenerator<ColumnPiece>,
    readonly width: number,
    readonly stats: TableStream['stats'],
  ) {}

  async take(rows: number): Promise<Uint8Array> {
    const needed = rows * this.width
    const parts = [this.#held]
    let have = this.#held.byteLength
    while (have < needed) {
      const next = await this.pieces.next()
      if (next.done) throw new AstropackError('TRUNCATED', `a column ended ${needed - have} bytes early`)
      this.stats.decoded++
      parts.push(next.value.bytes)
      have += next.value.bytes.byteLength
    }
    const joined = parts.length === 1 ? parts[0]! : concatBytes(parts)
    this.#held = joined.subarray(needed)
    return joined.subarray(0, needed)
  }
}

function elementType(type: NumpyType): DataType | undefined {
  if (type.kind === 'S') return new Utf8()
  if (type.kind === 'b') return new Bool()
  const numeric = NUMERIC[`${type.kind}${type.size}` as NumericCode]
  return numeric ? new numeric[0]() : undefined
}

function arrowField(column: ManifestColumn, type: NumpyType): Field {
  const metadata = new Map<string, string>()
  if (column.unit) metadata.set('unit', column.unit)
  if (column.ucd) metadata.set('ucd', column.ucd)
  if (column.description) metadata.set('description', column.description)
  metadata.set('hdf5.type', column.type!)
  const element = elementType(type)!
  const arrow = type.count === 1 ? element : new FixedSizeList(type.count, new Field('item', element, false))
  return new Field(column.name, arrow, false, metadata)
}

const latin1 = new TextDecoder('latin1')

/** The Arrow data of `rows` rows of a column from its stored bytes (either byte order). */
function columnData(plan: ColumnPlan, rows: number, bytes: Uint8Array): Data {
  const { type, field } = plan
  const leaf = leafData(type, rows * type.count, bytes)
  if (type.count === 1) return leaf
  return makeData({ type: field.type as FixedSizeList, length: rows, nullCount: 0, child: leaf })
}

function leafData(type: NumpyType, length: number, bytes: Uint8Array): Data {
  if (type.kind === 'S') {
    const strings = Array.from({ length }, (_, i) => {
      const value = bytes.subarray(i * type.size, (i + 1) * type.size)
      const nul = value.indexOf(0)
      return latin1.decode(nul === -1 ? value : value.subarray(0, nul))
    })
    return vectorFromArray(strings, new Utf8()).data[0]!
  }
  if (type.kind === 'b')
    return vectorFromArray(
      Array.from(bytes, (byte) => byte !== 0),
      new Bool(),
    ).data[0]!
  const [Arrow, Values] = NUMERIC[`${type.kind}${type.size}` as NumericCode]
  const values = new Values(length)
  const out = new Uint8Array(values.buffer)
  out.set(bytes)
  // Typed arrays are in the machine's order (little-endian everywhere Node runs): big-endian swaps.
  if (!type.littleEndian && type.size > 1) swapBytes(out, type.size)
  // makeData is typed per Arrow type; the pair in NUMERIC always matches.
  return makeData({ type: new Arrow() as Float64, length, nullCount: 0, data: values as Float64Array })
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let at = 0; at < bytes.byteLength; at += size) {
    for (let i = 0, j = size - 1; i < j; i++, j--) {
      const t = bytes[at + i]!
      bytes[at + i] = bytes[at + j]!
      bytes[at + j] = t
    }
  }
}
