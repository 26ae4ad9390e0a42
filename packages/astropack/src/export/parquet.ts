import type { ByteSink } from '@astropack/format'
import { type RecordBatch, type Schema, Table, tableToIPC } from 'apache-arrow'
import {
  Compression,
  transformParquetStream,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from 'parquet-wasm'

/** A row group holds about this many bytes of rows: enough for good compression, bounded in memory. */
const ROW_GROUP_BYTES = 128 * 1024 * 1024
const MAX_ROW_GROUP_ROWS = 1 << 20

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
  const properties = () =>
    new WriterPropertiesBuilder()
      .setCompression(Compression.ZSTD)
      .setMaxRowGroupSize(rowsPerGroup)
      .setCreatedBy('astropack export (parquet-wasm)')
      .build()
  const iterator = batches[Symbol.asyncIterator]()
  const first = await iterator.next()
  if (first.done) {
    // No rows: the streaming writer needs a batch to learn the schema from; write the empty table whole.
    await sink.write(writeParquet(toWasm(new Table(schema)), properties()))
    return
  }
  let pending: RecordBatch | undefined = first.value
  // parquet-wasm ends its output quietly when its input fails: the failure is kept here and rethrown.
  let failure: { error: unknown } | undefined
  const input = new ReadableStream(
    {
      async pull(controller) {
        try {
          const next = pending ?? (await iterator.next()).value
          pending = undefined
          if (next === undefined) return controller.close()
          const table = toWasm(new Table([next]))
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
