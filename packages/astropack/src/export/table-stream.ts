import { AstropackError } from '@astropack/codecs'
import type { ManifestTable, PackageReader } from '@astropack/format'
import {
  type CsvColumnType,
  type CsvDelimiter,
  type CsvScan,
  csvArrowSchema,
  DEFAULT_NULL_VALUES,
  ecsvArrowSchema,
  type FitsHdu,
  fitsTableArrowSchema,
  fitsTableToArrow,
  fixedWidthArrowSchema,
  readCsvBatches,
  readEcsvBatches,
  readFixedWidthBatches,
  scanCsv,
  scanEcsv,
  scanFits,
  scanFixedWidth,
  tableLayout,
} from '@astropack/readers'
import { distinctNames } from '@astropack/readers/csv-names'
import {
  DataType,
  Field,
  Float32,
  makeData,
  Precision,
  RecordBatch,
  Schema,
  Struct,
  util,
} from 'apache-arrow'
import { sourceDelimiter } from '../layouts/csv.js'
import { describeTable } from './choose-table.js'
import { EntryByteSource, type EntrySourceStats } from './entry-source.js'
import { openHdf5TableStream } from './hdf5-table-stream.js'
import { SequentialEntrySource } from './text-entry-source.js'

/** A table being read from a package: its Arrow schema, then its rows batch by batch. */
export interface TableStream {
  table: ManifestTable
  /** The FITS HDU, for FITS tables. */
  hdu?: FitsHdu
  schema: Schema
  /**
   * Rows, when known before reading: a CSV table whose manifest gives every column's type is read without
   * a first pass, and only reading counts its rows (blank lines are none).
   */
  rowCount?: number
  /** Bytes of the table's rows in the file (a FITS table's heap not counted). */
  tableBytes: number
  batches: AsyncGenerator<RecordBatch, void, undefined>
  /** The same rows again from the first, for writers that need a pass before (or after) writing them. */
  reread: () => AsyncGenerator<RecordBatch, void, undefined>
  /** What reading cost: pieces of the entry decoded. */
  stats: EntrySourceStats
}

/** Batches of at most this many rows, as the FITS reader's own default. */
const MAX_BATCH_ROWS = 1 << 20

/**
 * Reads a table of the package: a FITS table with the FITS reader, over the entry's bytes as the package
 * stores them (headers and rows decoded piece by piece, never the whole file); a CSV/TSV table with the
 * CSV reader, an ECSV table with the ECSV reader, a fixed-width table with the fixed-width reader; an HDF5
 * table from its columns' stored bytes (the table view).
 */
export async function openTableStream(reader: PackageReader, table: ManifestTable): Promise<TableStream> {
  return withDistinctNames(await openStream(reader, table))
}

async function openStream(reader: PackageReader, table: ManifestTable): Promise<TableStream> {
  const delimiter = sourceDelimiter(table.source)
  if (delimiter) return withColumnMetadata(await openCsvStream(reader, table, delimiter))
  if (table.source === 'ecsv') return openEcsvStream(reader, table)
  if (table.source === 'fixed-width') return openFixedWidthStream(reader, table)
  if (table.source === 'hdf5') return openHdf5TableStream(reader, table)
  const entry = reader.entry(table.entry)
  const source = new EntryByteSource(reader, entry)
  const scan = await scanFits(source, { strict: true })
  const hdu = scan.hdus.find((candidate) => candidate.index === table.hdu)
  if (hdu === undefined || hdu.type !== 'BINTABLE') {
    throw new AstropackError('BAD_MANIFEST', `${describeTable(table)}: the file has no binary table there`)
  }
  if (table.dataOffset !== undefined && table.dataOffset !== hdu.dataStart) {
    throw new AstropackError(
      'BAD_MANIFEST',
      `${describeTable(table)}: its rows start at byte ${hdu.dataStart}, the manifest says ${table.dataOffset}`,
    )
  }
  const layout = tableLayout(hdu)
  // Batches of one stored row group each: every read is then a view of one decoded group, not a copy.
  const segment = reader
    .segmentsOf(entry)
    ?.find((candidate) => candidate.layout === 'rows' && candidate.rawOffset === hdu.dataStart)
  const batchRows = segment?.layout === 'rows' ? Math.min(segment.rowsPerGroup, MAX_BATCH_ROWS) : undefined
  const read = () => fitsTableToArrow(source, hdu, batchRows === undefined ? {} : { batchRows })
  return {
    table,
    hdu,
    schema: fitsTableArrowSchema(hdu),
    rowCount: layout.rowCount,
    tableBytes: layout.rowCount * layout.rowBytes,
    batches: read(),
    reread: read,
    stats: source.stats,
  }
}

/**
 * A delimited table of the package (CSV, TSV, astropy's bar- and space-separated tables), read with the CSV
 * reader from where packing found its rows, with the names it found: a header in a comment, VizieR's units
 * and rule lines are the packer's to read, not the rows'. The column types are the manifest's when it gives
 * every one (packing found them as this reader infers them: a value that does not fit stops the read with
 * CSV_TYPE_MISMATCH); else a first pass over every row infers them.
 */
async function openCsvStream(
  reader: PackageReader,
  table: ManifestTable,
  delimiter: CsvDelimiter,
): Promise<TableStream> {
  const entry = reader.entry(table.entry)
  const source = new SequentialEntrySource(reader, entry)
  const names = table.columns.map((column) => column.name)
  const dataStart = table.dataOffset ?? 0
  if (dataStart > entry.size)
    throw new AstropackError('BAD_MANIFEST', `${describeTable(table)}: its rows start past the file's end`)
  const noRows = () =>
    new AstropackError('BAD_MANIFEST', `${describeTable(table)}: no rows at byte ${dataStart}`)
  const scan =
    manifestScan(table, delimiter, dataStart) ?? (await scanCsv(source, { delimiter, names, dataStart }))
  // No row at all where the manifest says they start: not the table it lists.
  if (scan.columns.length !== names.length) throw noRows()
  const read = () => readCsvBatches(source, { scan })
  return {
    table,
    schema: csvArrowSchema(scan),
    ...(scan.rowCount === undefined ? {} : { rowCount: scan.rowCount }),
    tableBytes: entry.size - scan.dataStart,
    batches: scan.rowCount === undefined ? await readingFirst(read(), noRows) : read(),
    reread: read,
    stats: source.stats,
  }
}

/**
 * The batches, the first read now: without a first pass over the table, a table that is not where the
 * manifest says (no rows there, other fields than its names) fails before anything is written.
 */
async function readingFirst(
  batches: AsyncGenerator<RecordBatch, void, undefined>,
  noRows: () => Error,
): Promise<AsyncGenerator<RecordBatch, void, undefined>> {
  const first = await batches.next()
  if (first.done) throw noRows()
  return (async function* () {
    yield first.value
    yield* batches
  })()
}

const CSV_TYPES: ReadonlySet<string> = new Set<CsvColumnType>(['int32', 'int64', 'float64', 'bool', 'string'])

/** What scanCsv would find, from a manifest that types every column; undefined when it does not. */
function manifestScan(table: ManifestTable, delimiter: CsvDelimiter, dataStart: number): CsvScan | undefined {
  const { columns } = table
  if (columns.length === 0 || !columns.every((column) => CSV_TYPES.has(column.type ?? ''))) return undefined
  return {
    delimiter,
    header: false,
    columns: columns.map(({ name, type }) => ({ name, type: type as CsvColumnType })),
    dataStart,
    rowsScanned: 0, // every field's text is then checked while reading
    rowCount: undefined,
    nullValues: DEFAULT_NULL_VALUES,
  }
}

/**
 * A fixed-width table of the package, read with the fixed-width reader (types inferred over every line
 * first). The reader finds the table again in the entry's bytes; BAD_MANIFEST when it is not the one the
 * manifest lists (another first line, row count or columns).
 */
async function openFixedWidthStream(reader: PackageReader, table: ManifestTable): Promise<TableStream> {
  const entry = reader.entry(table.entry)
  const source = new SequentialEntrySource(reader, entry)
  const scan = await scanFixedWidth(source)
  const { columns } = table
  if (
    (table.dataOffset !== undefined && table.dataOffset !== scan.dataStart) ||
    (table.rows !== undefined && table.rows !== scan.rowCount) ||
    scan.columns.length !== columns.length ||
    scan.columns.some((column, c) => column.name !== columns[c]!.name)
  ) {
    throw new AstropackError(
      'BAD_MANIFEST',
      `${describeTable(table)}: the file holds a table of ${scan.rowCount} rows and ${scan.columns.length} ` +
        `columns from byte ${scan.dataStart}, the manifest lists ${table.rows ?? '?'} rows and ` +
        `${columns.length} columns from byte ${table.dataOffset ?? '?'}`,
    )
  }
  const read = () => readFixedWidthBatches(source, { scan })
  return {
    table,
    schema: fixedWidthArrowSchema(scan),
    rowCount: scan.rowCount,
    tableBytes: scan.dataEnd - scan.dataStart,
    batches: read(),
    reread: read,
    stats: source.stats,
  }
}

/**
 * An ECSV table of the package, read with the ECSV reader in the types its header declares; its rows are
 * counted as read, not taken from the manifest.
 */
async function openEcsvStream(reader: PackageReader, table: ManifestTable): Promise<TableStream> {
  const entry = reader.entry(table.entry)
  const source = new SequentialEntrySource(reader, entry)
  const scan = await scanEcsv(source)
  // UNSUPPORTED_FEATURE for array columns, before any row is read.
  const { schema, widen } = widenHalfFloats(ecsvArrowSchema(scan))
  async function* read() {
    for await (const batch of readEcsvBatches(source, { scan })) yield widen(batch)
  }
  return {
    table,
    schema,
    tableBytes: entry.size - scan.dataStart,
    batches: read(),
    reread: read,
    stats: source.stats,
  }
}

/**
 * The stream with a repeated column name suffixed `_2`, `_3`, ...: FITS allows two TTYPEs alike, and a
 * damaged manifest may repeat a name, but HDF5 datasets and Parquet columns need distinct names.
 */
function withDistinctNames(stream: TableStream): TableStream {
  const names = stream.schema.fields.map((f) => f.name)
  const distinct = distinctNames(names)
  if (distinct.every((name, c) => name === names[c])) return stream
  return withFields(
    stream,
    stream.schema.fields.map((f, c) => new Field(distinct[c]!, f.type, f.nullable, f.metadata)),
  )
}

/**
 * A delimited table's units (VizieR's units line), UCDs and descriptions, which only the manifest holds,
 * as the field metadata the writers turn into TUNIT, HDF5 attributes and Parquet's schema.
 */
function withColumnMetadata(stream: TableStream): TableStream {
  const fields = stream.schema.fields.map((field, c) => {
    const column = stream.table.columns[c]
    const known = (['unit', 'ucd', 'description'] as const).flatMap((key) =>
      column?.[key] !== undefined && !field.metadata.has(key) ? [[key, column[key]] as const] : [],
    )
    if (known.length === 0) return field
    return new Field(field.name, field.type, field.nullable, new Map([...field.metadata, ...known]))
  })
  return fields.every((field, c) => field === stream.schema.fields[c]) ? stream : withFields(stream, fields)
}

/** The stream's batches under other fields (names, metadata) of the same types: the same column data. */
function withFields(stream: TableStream, fields: Field[]): TableStream {
  const schema = new Schema(fields, stream.schema.metadata)
  const relabel = async function* (batches: AsyncGenerator<RecordBatch, void, undefined>) {
    for await (const batch of batches) {
      const data = makeData({
        type: new Struct(fields),
        length: batch.numRows,
        nullCount: 0,
        children: batch.data.children,
      })
      yield new RecordBatch(schema, data)
    }
  }
  return { ...stream, schema, batches: relabel(stream.batches), reread: () => relabel(stream.reread()) }
}

/** Float16 columns (ECSV float16) as Float32, which holds every half float exactly: no writer has half floats. */
function widenHalfFloats(schema: Schema): { schema: Schema; widen: (batch: RecordBatch) => RecordBatch } {
  const half = schema.fields.map((f) => DataType.isFloat(f.type) && f.type.precision === Precision.HALF)
  if (!half.includes(true)) return { schema, widen: (batch) => batch }
  const fields = schema.fields.map((f, c) =>
    half[c] ? new Field(f.name, new Float32(), f.nullable, f.metadata) : f,
  )
  const wide = new Schema(fields, schema.metadata)
  const widen = (batch: RecordBatch) => {
    const children = batch.data.children.map((data, c) => {
      if (!half[c]) return data
      const bits = data.values as Uint16Array
      const values = Float32Array.from({ length: data.length }, (_, r) => util.uint16ToFloat64(bits[r]!))
      const { length, nullCount, nullBitmap } = data
      return makeData({ type: new Float32(), length, nullCount, nullBitmap, data: values })
    })
    const struct = makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children })
    return new RecordBatch(wide, struct)
  }
  return { schema: wide, widen }
}
