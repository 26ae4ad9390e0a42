import { AstropackError, isAstropackError } from '@astropack/codecs'
import { Field, type RecordBatch, Schema, Table } from 'apache-arrow'
import type { ByteSource } from '../byte-source.js'
import { arrowType } from './arrow-type.js'
import { BatchBuilder } from './builders.js'
import { FieldClassifier } from './classify.js'
import { END, REFILL, RecordReader } from './record-reader.js'
import { type CsvOptions, type CsvScan, delimiterByte, readerLimits, scanCsv } from './scan.js'

export interface CsvArrowOptions extends CsvOptions {
  /** Rows per RecordBatch (default 65 536); a batch ends early once its rows span 32 MiB of text. */
  batchRows?: number
  /** A scan of this source from scanCsv, to skip the first pass. */
  scan?: CsvScan
}

const DEFAULT_BATCH_ROWS = 65_536
const MAX_BATCH_BYTES = 32 * 1024 * 1024

/** The Arrow schema of a scanned table: every column nullable, the delimiter and header in metadata. */
export function csvArrowSchema(scan: CsvScan): Schema {
  const fields = scan.columns.map((column) => new Field(column.name, arrowType(column.type), true))
  const metadata = new Map([
    ['csv.delimiter', scan.delimiter],
    ['csv.header', String(scan.header)],
  ])
  return new Schema(fields, metadata)
}

/**
 * Streams a CSV or TSV table as Arrow RecordBatches, holding one slice of the file and one batch at a time.
 * Without `options.scan` it first runs scanCsv (by default over the whole file, so the types are final
 * before the first batch). With a sampled scan, a later value that does not fit its column's type stops
 * the read with CSV_TYPE_MISMATCH: batches already given out cannot change type, and no value is altered.
 */
export async function* readCsvBatches(
  source: ByteSource,
  options: CsvArrowOptions = {},
): AsyncGenerator<RecordBatch, void, undefined> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) {
    throw new AstropackError('USAGE', `batchRows must be a positive integer, not ${batchRows}`)
  }
  const scan = options.scan ?? (await scanCsv(source, options))
  const columnCount = scan.columns.length
  if (columnCount === 0) return
  const schema = csvArrowSchema(scan)
  const delimiter = delimiterByte(scan.delimiter)
  const reader = new RecordReader(source, scan.dataStart, 1, readerLimits(options))
  const batch = new BatchBuilder(scan.columns, { classifier: new FieldClassifier(scan.nullValues), reader })
  for (;;) {
    const status = reader.read(delimiter, columnCount)
    if (status === REFILL) {
      await reader.refill()
      continue
    }
    if (status === END) break
    // Text the scan did not see is checked here (NUL bytes, invalid UTF-8).
    batch.add((reader.row as number) > scan.rowsScanned)
    if (batch.rows === batchRows || batch.bytes >= MAX_BATCH_BYTES) yield batch.finish(schema)
  }
  if (batch.rows > 0) yield batch.finish(schema)
}

/**
 * Reads a whole CSV or TSV table into memory, for files that fit. After a sampled scan, a value that does
 * not fit its inferred type makes it scan every row and read again, with the widened types.
 */
export async function readCsvTable(source: ByteSource, options: CsvArrowOptions = {}): Promise<Table> {
  const scan = options.scan ?? (await scanCsv(source, options))
  try {
    return await collect(source, { ...options, scan })
  } catch (error) {
    if (!isAstropackError(error, 'CSV_TYPE_MISMATCH') || scan.rowCount !== undefined) throw error
    const fullScan = await scanCsv(source, { ...options, inferRows: Number.POSITIVE_INFINITY })
    return collect(source, { ...options, scan: fullScan })
  }
}

async function collect(source: ByteSource, options: CsvArrowOptions & { scan: CsvScan }): Promise<Table> {
  const batches: RecordBatch[] = []
  for await (const batch of readCsvBatches(source, options)) batches.push(batch)
  return new Table(csvArrowSchema(options.scan), batches)
}
