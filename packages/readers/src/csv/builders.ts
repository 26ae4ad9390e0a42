import {
  type Data,
  type DataType,
  type Field,
  makeData,
  RecordBatch,
  type Schema,
  Struct,
} from 'apache-arrow'
import { packBitmap } from '../fits/bits.js'
import { arrowType } from './arrow-type.js'
import {
  BOOL,
  checkText,
  type FieldClassifier,
  FLOAT,
  INT32,
  INT53,
  INT64,
  type Kind,
  NAN_NULL,
  NULL,
  TEXT,
} from './classify.js'
import { csvError, showBytes } from './errors.js'
import type { CsvColumn } from './infer.js'
import { raggedError } from './record-reader.js'
import { ESCAPED, QUOTE, type RecordView } from './tokenize.js'

const FIRST_CAPACITY = 1024
const TWO_POW_32 = 2 ** 32

/** What every column builder shares: the classifier and the record being added (its text, its place for errors). */
export interface BuildContext {
  classifier: FieldClassifier
  reader: RecordView
  /** The error for a field that does not fit its column's type, when the type was declared, not inferred. */
  mismatch?: (column: CsvColumn, field: Uint8Array) => Error
}

/** Collects one column of a batch; `finish` hands the values to Arrow and starts afresh. */
abstract class ColumnBuilder {
  length = 0
  protected capacity = FIRST_CAPACITY
  #valid: Uint8Array | undefined
  #nullCount = 0

  constructor(
    readonly column: CsvColumn,
    protected readonly context: BuildContext,
  ) {}

  abstract append(buf: Uint8Array, start: number, end: number, quoting: number, check: boolean): void
  protected abstract data(type: DataType, length: number, nullCount: number, nullBitmap?: Uint8Array): Data
  protected abstract grow(capacity: number): void

  finish(): Data {
    const bitmap = this.#valid === undefined ? undefined : packBitmap(this.#valid.subarray(0, this.length))
    const data = this.data(arrowType(this.column.type), this.length, this.#nullCount, bitmap)
    this.length = 0
    this.#nullCount = 0
    this.#valid = undefined
    // Batches are alike: start the next one at this one's capacity instead of growing again.
    this.grow(this.capacity)
    return data
  }

  /** Makes room for one more value; returns its index. */
  protected next(): number {
    if (this.length === this.capacity) {
      this.capacity *= 2
      this.grow(this.capacity)
      if (this.#valid !== undefined) this.#valid = resized(this.#valid, this.capacity, 1)
    }
    if (this.#valid !== undefined) this.#valid[this.length] = 1
    return this.length++
  }

  protected pushNull(): void {
    const index = this.next()
    this.#valid ??= new Uint8Array(this.capacity).fill(1)
    this.#valid[index] = 0
    this.#nullCount++
  }

  /** The trimmed field as text, for Number() and BigInt(). */
  protected text(): string {
    const { classifier, reader } = this.context
    return reader.text().slice(classifier.start, classifier.end)
  }

  protected mismatch(buf: Uint8Array, start: number, end: number): Error {
    const { reader, mismatch } = this.context
    if (mismatch) return mismatch(this.column, buf.subarray(start, end))
    return csvError(
      'CSV_TYPE_MISMATCH',
      reader.row,
      reader.bufferOffset + start,
      `${showBytes(buf.subarray(start, end))} does not fit column '${this.column.name}' inferred as ` +
        `${this.column.type} from the rows scanned (scan every row: inferRows Infinity)`,
    )
  }
}

function resized<T extends Uint8Array | Int32Array | Float64Array | BigInt64Array>(
  array: T,
  size: number,
  fill?: number,
): T {
  const out = new (array.constructor as new (size: number) => T)(size)
  out.set(array as never)
  if (fill !== undefined) out.fill(fill as never, array.length)
  return out
}

/** Int32, Float64 and Bool columns: one number per row (Bool as 0/1 bytes, packed at the end). */
class NumberBuilder extends ColumnBuilder {
  #values: Int32Array | Float64Array | Uint8Array = this.#allocate(FIRST_CAPACITY)

  #allocate(size: number): Int32Array | Float64Array | Uint8Array {
    const type = this.column.type
    return type === 'int32'
      ? new Int32Array(size)
      : type === 'bool'
        ? new Uint8Array(size)
        : new Float64Array(size)
  }

  protected grow(capacity: number): void {
    this.#values = this.length === 0 ? this.#allocate(capacity) : resized(this.#values, capacity)
  }

  append(buf: Uint8Array, start: number, end: number): void {
    const { classifier } = this.context
    const kind = classifier.classify(buf, start, end)
    const type = this.column.type
    if (kind === NULL || (kind === NAN_NULL && type !== 'float64')) {
      this.pushNull()
      return
    }
    const value = this.#value(kind, type)
    if (value === undefined) throw this.mismatch(buf, start, end)
    // next() may replace the array, so it must run before the array is read.
    const index = this.next()
    this.#values[index] = value
  }

  #value(kind: Kind, type: string): number | undefined {
    const { classifier } = this.context
    if (type === 'int32') return kind === INT32 ? classifier.value : undefined
    if (type === 'bool') return kind === BOOL ? classifier.value : undefined
    if (kind === INT32 || kind === INT53) return classifier.value
    if (kind === FLOAT) return classifier.exact ? classifier.value : Number(this.text())
    return kind === NAN_NULL ? Number.NaN : undefined
  }

  protected data(type: DataType, length: number, nullCount: number, nullBitmap?: Uint8Array): Data {
    const values = this.#values.subarray(0, length)
    const data = this.column.type === 'bool' ? packBitmap(values as Uint8Array) : values
    return makeData({ type: type as never, length, nullCount, nullBitmap, data } as never)
  }
}

/** Int64 columns: values up to 2^53 written as two 32-bit words, larger ones through BigInt. */
class Int64Builder extends ColumnBuilder {
  #values = new BigInt64Array(FIRST_CAPACITY)
  #words = new Uint32Array(this.#values.buffer)

  protected grow(capacity: number): void {
    this.#values = this.length === 0 ? new BigInt64Array(capacity) : resized(this.#values, capacity)
    this.#words = new Uint32Array(this.#values.buffer)
  }

  append(buf: Uint8Array, start: number, end: number): void {
    const { classifier } = this.context
    const kind = classifier.classify(buf, start, end)
    if (kind === NULL || kind === NAN_NULL) {
      this.pushNull()
      return
    }
    if (kind === INT32 || kind === INT53) {
      // Low word: the value modulo 2^32; high word: the floor of value / 2^32, two's complement for both.
      const value = classifier.value
      const index = this.next()
      this.#words[2 * index] = value >>> 0
      this.#words[2 * index + 1] = Math.floor(value / TWO_POW_32) >>> 0
    } else if (kind === INT64) {
      const index = this.next()
      this.#values[index] = BigInt(this.text())
    } else {
      throw this.mismatch(buf, start, end)
    }
  }

  protected data(type: DataType, length: number, nullCount: number, nullBitmap?: Uint8Array): Data {
    const data = this.#values.subarray(0, length)
    return makeData({ type: type as never, length, nullCount, nullBitmap, data } as never)
  }
}

/** Utf8 columns: the field's bytes as written (blanks kept, doubled quotes undone). */
class StringBuilder extends ColumnBuilder {
  #offsets = new Int32Array(FIRST_CAPACITY + 1)
  #bytes = new Uint8Array(64 * 1024)
  #used = 0

  protected grow(capacity: number): void {
    if (this.length === 0) {
      this.#offsets = new Int32Array(capacity + 1)
      this.#bytes = new Uint8Array(64 * 1024)
      this.#used = 0
    } else {
      this.#offsets = resized(this.#offsets, capacity + 1)
    }
  }

  append(buf: Uint8Array, start: number, end: number, quoting: number, check: boolean): void {
    if (this.context.classifier.nullKind(buf, start, end) !== TEXT) {
      this.pushNull()
      return
    }
    if (check) checkText(this.context.reader, buf, start, end, this.column.name)
    const index = this.next()
    if (this.#used + (end - start) > this.#bytes.length) {
      this.#bytes = resized(this.#bytes, Math.max(2 * this.#bytes.length, this.#used + end - start))
    }
    if (quoting === ESCAPED) {
      let out = this.#used
      for (let i = start; i < end; i++) {
        this.#bytes[out++] = buf[i]!
        if (buf[i] === QUOTE) i++ // the second quote of a pair
      }
      this.#used = out
    } else {
      this.#bytes.set(buf.subarray(start, end), this.#used)
      this.#used += end - start
    }
    this.#offsets[index + 1] = this.#used
  }

  protected override pushNull(): void {
    super.pushNull()
    this.#offsets[this.length] = this.#used
  }

  protected data(type: DataType, length: number, nullCount: number, nullBitmap?: Uint8Array): Data {
    const valueOffsets = this.#offsets.subarray(0, length + 1)
    const data = this.#bytes.subarray(0, this.#used)
    return makeData({ type: type as never, length, nullCount, nullBitmap, valueOffsets, data } as never)
  }
}

/** Rows of one batch: checks each record's field count and hands every field to its column's builder. */
export class BatchBuilder {
  rows = 0
  /** Bytes of CSV text in the batch, to end batches of very wide or long rows early. */
  bytes = 0
  readonly #columns: ColumnBuilder[]

  constructor(
    columns: readonly CsvColumn[],
    private readonly context: BuildContext,
  ) {
    this.#columns = columns.map((column) => {
      if (column.type === 'string') return new StringBuilder(column, context)
      if (column.type === 'int64') return new Int64Builder(column, context)
      return new NumberBuilder(column, context)
    })
  }

  /** Adds the reader's current record; `check` re-validates text the type scan did not see. */
  add(check: boolean): void {
    const { reader } = this.context
    const { spans, buffer } = reader
    const columns = this.#columns
    if (spans.count !== columns.length) throw raggedError(reader, columns.length)
    for (let c = 0; c < columns.length; c++) {
      columns[c]!.append(buffer, spans.starts[c]!, spans.ends[c]!, spans.quoting[c]!, check)
    }
    this.rows++
    this.bytes += reader.recordEnd - reader.recordStart
  }

  finish(schema: Schema): RecordBatch {
    const children = this.#columns.map((column) => column.finish())
    const struct = makeData({
      type: new Struct(schema.fields as Field[]),
      length: this.rows,
      nullCount: 0,
      children,
    })
    this.rows = 0
    this.bytes = 0
    return new RecordBatch(schema, struct)
  }
}
