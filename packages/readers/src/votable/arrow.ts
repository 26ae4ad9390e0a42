import { AstropackError } from '@astropack/codecs'
import { makeData, RecordBatch, Schema, Struct } from 'apache-arrow'
import type { ByteSource } from '../byte-source.js'
import { BinaryRowReader } from './binary.js'
import { ColumnDecoder } from './columns.js'
import { textSlices } from './feed.js'
import { tableLabel, type VotableEncoding, type VotableTable } from './model.js'
import { votableArrowField } from './types.js'
import { type RowSink, VotableWalker } from './walker.js'

export interface VotableArrowOptions {
  /** The table: its index among all TABLE elements, or its name or ID. Default: the first. */
  table?: number | string
  /** Rows per RecordBatch (default 65 536). */
  batchRows?: number
  /** Bytes read from the source at a time. Default 4 MiB. */
  sliceBytes?: number
  /**
   * The longest TD text accepted, and the most bytes of one variable-size BINARY/BINARY2 cell
   * (LIMIT_EXCEEDED beyond). Default 64 Mi.
   */
  maxCellChars?: number
}

const DEFAULT_BATCH_ROWS = 65_536
const DEFAULT_MAX_CELL_CHARS = 64 * 1024 * 1024

/** The Arrow schema of a table: one nullable field per FIELD, with unit, ucd, description and votable.* metadata. */
export function votableArrowSchema(table: VotableTable): Schema {
  const metadata = new Map<string, string>()
  if (table.name !== undefined) metadata.set('votable.table', table.name)
  if (table.ID !== undefined) metadata.set('votable.ID', table.ID)
  if (table.description !== undefined) metadata.set('description', table.description)
  return new Schema(table.fields.map(votableArrowField), metadata)
}

function selects(table: VotableTable, selection: number | string): boolean {
  return typeof selection === 'number'
    ? table.index === selection
    : table.name === selection || table.ID === selection
}

/** Decodes the chosen table's rows into batches, which the generator hands out between writes. */
class BatchSink implements RowSink {
  readonly ready: RecordBatch[] = []
  done = false
  #schema: Schema | undefined
  #columns: ColumnDecoder[] = []
  #cells = 0
  #rows = 0
  #batchRows = 0
  #walker: VotableWalker | undefined
  #binary: BinaryRowReader | undefined

  constructor(
    readonly selection: number | string,
    readonly batchRows: number,
    readonly maxCellBytes: number,
    readonly sourceBytes: number,
  ) {}

  attach(walker: VotableWalker): void {
    this.#walker = walker
  }

  data(table: VotableTable, encoding: VotableEncoding): boolean {
    if (this.done || !selects(table, this.selection)) return false
    if (encoding === 'FITS') {
      throw new AstropackError(
        'UNSUPPORTED_FEATURE',
        `VOTable table ${tableLabel(table)} is serialised as FITS; TABLEDATA, BINARY and BINARY2 are read`,
      )
    }
    this.#schema = votableArrowSchema(table)
    if (encoding === 'TABLEDATA') this.#columns = table.fields.map((field) => new ColumnDecoder(field))
    else {
      // Base64 is 4 characters for 3 bytes: the rest of the file holds at most 3/4 of its size in data.
      const limits = {
        maxCellBytes: this.maxCellBytes,
        maxStreamBytes: Math.ceil((this.sourceBytes * 3) / 4),
      }
      const where = () => `table ${tableLabel(table)} (${encoding}, ${this.#walker?.position ?? ''})`
      this.#binary = new BinaryRowReader(table.fields, encoding === 'BINARY2', limits, where)
    }
    return true
  }

  stream(text: string): void {
    this.#binary?.write(text, this.#binaryRow)
  }

  streamEnd(): void {
    this.#binary?.end(this.#binaryRow)
  }

  readonly #binaryRow = (): void => {
    if (++this.#batchRows === this.batchRows) this.#finishBatch()
  }

  cell(text: string): void {
    const column = this.#columns[this.#cells]
    if (column === undefined) this.#rowError(`more than ${this.#columns.length} TD elements`)
    else {
      const problem = column.add(text)
      if (problem !== undefined) this.#rowError(`field '${column.field.name}': ${problem}`)
    }
    this.#cells++
  }

  row(): void {
    if (this.#cells !== this.#columns.length) {
      this.#rowError(`${this.#cells} TD elements for ${this.#columns.length} FIELDs`)
    }
    this.#cells = 0
    this.#rows++
    if (++this.#batchRows === this.batchRows) this.#finishBatch()
  }

  tableEnd(table: VotableTable): void {
    if (this.done || !selects(table, this.selection)) return
    if (this.#schema === undefined) this.#schema = votableArrowSchema(table)
    else if (this.#batchRows > 0) this.#finishBatch()
    this.done = true
  }

  #finishBatch(): void {
    const schema = this.#schema as Schema
    const children = this.#binary?.flush() ?? this.#columns.map((column) => column.flush())
    const data = makeData({
      type: new Struct(schema.fields),
      length: this.#batchRows,
      nullCount: 0,
      children,
    })
    this.ready.push(new RecordBatch(schema, data))
    this.#batchRows = 0
  }

  #rowError(text: string): never {
    const where = this.#walker?.position ?? ''
    throw new AstropackError('CORRUPT_CHUNK', `VOTable row ${this.#rows + 1} (${where}): ${text}`)
  }
}

/**
 * Streams one table of a VOTable as Arrow RecordBatches, in a single pass that holds one slice of text
 * and one batch: reading stops at the end of the table. TABLEDATA is read, and BINARY and BINARY2 with
 * their base64 STREAM inline; FITS, a STREAM href and other STREAM encodings are UNSUPPORTED_FEATURE. A
 * table that does not exist is NOT_FOUND; a TD that does not parse as its datatype, or a row with the
 * wrong number of TDs, is CORRUPT_CHUNK naming the row and field; binary data that ends inside a row is
 * TRUNCATED.
 */
export async function* readVotableBatches(
  source: ByteSource,
  options: VotableArrowOptions = {},
): AsyncGenerator<RecordBatch, void, undefined> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) {
    throw new AstropackError('USAGE', `batchRows must be a positive integer, not ${batchRows}`)
  }
  const maxCell = options.maxCellChars ?? DEFAULT_MAX_CELL_CHARS
  const sink = new BatchSink(options.table ?? 0, batchRows, maxCell, source.byteLength)
  const walker = new VotableWalker(sink, maxCell)
  sink.attach(walker)
  for await (const text of textSlices(source, options.sliceBytes)) {
    walker.write(text)
    yield* sink.ready.splice(0)
    if (sink.done) return
  }
  walker.close()
  yield* sink.ready.splice(0)
  if (!sink.done) {
    const count = walker.scan.tables.length
    throw new AstropackError(
      'NOT_FOUND',
      `VOTable has no table ${JSON.stringify(options.table ?? 0)} (it has ${count})`,
    )
  }
}
