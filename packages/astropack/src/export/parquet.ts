import type { ByteSink } from '@astropack/format'
import { DataType, type RecordBatch, type Schema, Table, tableToIPC } from 'apache-arrow'
import {
  Compression,
  Encoding,
  transformParquetStream,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from 'parquet-wasm'

/**
 * A row group holds about this many bytes of rows (Tycho-2: 100 K rows; DuckDB writes 122,880). parquet-wasm
 * keeps the row group being written, and its WebAssembly memory never shrinks: 1 M-row groups took it to
 * 87 MiB on Tycho-2 (the export to 255-340 MB RSS), 2 MiB groups to ~25 MiB (186-200 MB). With the
 * dictionary kept only for the columns it suits, small groups cost little size (27.7 MB, 4 MiB: 27.6).
 */
const ROW_GROUP_BYTES = 2 * 1024 * 1024
const MAX_ROW_GROUP_ROWS = 1 << 20
/** Batches cross into WebAssembly in slices of at most this many rows, so each copy stays small. */
const SLICE_ROWS = 1 << 16

/**
 * Writes Parquet (ZSTD) with parquet-wasm: each Arrow batch crosses into WebAssembly as an uncompressed
 * IPC stream (all parquet-wasm can read) and the writer emits each row group as soon as it is full, so
 * memory holds one row group, not the table.
 */
export async function writeParquetFile(
  schema: Schema,
  batches: AsyncIterable<RecordBatch>,
  rowBytes: number,
  sink: ByteSink,
): Promise<void> {
  const rowsPerGroup = Math.max(
    1,
    Math.min(MAX_ROW_GROUP_ROWS, Math.floor(ROW_GROUP_BYTES / Math.max(1, rowBytes))),
  )
  const iterator = batches[Symbol.asyncIterator]()
  const first = await iterator.next()
  const properties = () => {
    let builder = new WriterPropertiesBuilder()
      .setCompression(Compression.ZSTD)
      .setMaxRowGroupSize(rowsPerGroup)
      .setCreatedBy('astropack export (parquet-wasm)')
    for (const field of first.done ? [] : mostlyDistinct(first.value)) {
      // A dictionary of unique values is a copy of them plus an index: plain values compress better,
      // floats best split into byte streams (ra/dec of Tycho-2: 27.5 MB file, not 32.7).
      builder = builder.setColumnDictionaryEnabled(field.name, false)
      if (DataType.isFloat(field.type))
        builder = builder.setColumnEncoding(field.name, Encoding.BYTE_STREAM_SPLIT)
    }
    return builder.build()
  }
  if (first.done) {
    // No rows: the streaming writer needs a batch to learn the schema from; write the empty table whole.
    await sink.write(writeParquet(toWasm(new Table(schema)), properties()))
    return
  }
  let pending: RecordBatch | undefined = first.value
  const slices: RecordBatch[] = []
  // parquet-wasm ends its output quietly when its input fails: the failure is kept here and rethrown.
  let failure: { error: unknown } | undefined
  const input = new ReadableStream(
    {
      async pull(controller) {
        try {
          if (slices.length === 0) {
            const next = pending ?? (await iterator.next()).value
            pending = undefined
            if (next === undefined) return controller.close()
            for (let at = 0; at < next.numRows; at += SLICE_ROWS)
              slices.push(next.slice(at, Math.min(next.numRows, at + SLICE_ROWS)))
          }
          const table = toWasm(new Table([slices.shift()!]))
          for (const batch of table.recordBatches()) controller.enqueue(batch)
          table.free()
        } catch (error) {
          failure = { error }
          controller.error(error)
        }
      },
      async cancel() {
        await iterator.return?.()
      },
    },
    { highWaterMark: 1 },
  )
  const output = (await transformParquetStream(input, properties())).getReader()
  try {
    for (let read = await output.read(); !read.done && !failure; read = await output.read()) {
      await sink.write(read.value)
    }
  } catch (error) {
    throw failure?.error ?? error
  }
  if (failure) throw failure.error
}

function toWasm(table: Table): WasmTable {
  return WasmTable.fromIPCStream(tableToIPC(table, 'stream'))
}

/** The top-level number and string columns whose first rows (up to 64 Ki) are more than half distinct. */
function mostlyDistinct(batch: RecordBatch): RecordBatch['schema']['fields'] {
  return batch.schema.fields.filter((field, c) => {
    if (!(DataType.isFloat(field.type) || DataType.isInt(field.type) || DataType.isUtf8(field.type)))
      return false
    const column = batch.getChildAt(c)!
    const rows = Math.min(column.length, SLICE_ROWS)
    const seen = new Set<unknown>()
    for (let row = 0; row < rows; row++) seen.add(column.get(row))
    return seen.size > rows / 2
  })
}
