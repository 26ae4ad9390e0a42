import type { ByteSink } from '@astropack/format'
import { AsyncByteQueue, type RecordBatch, RecordBatchFileWriter, type Schema } from 'apache-arrow'

/**
 * The Arrow writer's sink: it keeps what the writer produced until taken. Arrow's own queue has no way
 * to say it is empty, so bytes could only be drained concurrently, without bound; taking them after
 * each batch flushes every batch to the file before the next one is made.
 */
class HeldBytes extends AsyncByteQueue {
  readonly #parts: Uint8Array[] = []

  override write(value: Parameters<AsyncByteQueue['write']>[0]): void {
    if (!ArrayBuffer.isView(value)) throw new TypeError('the Arrow writer wrote something other than bytes')
    this.#parts.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
  }

  take(): Uint8Array[] {
    return this.#parts.splice(0)
  }
}

/**
 * Writes an Arrow IPC file (the random-access format, also called Feather v2): schema, then each batch
 * as it comes, then the footer. Bodies are not compressed, so every Arrow reader can read them.
 */
export async function writeArrowIpc(
  schema: Schema,
  batches: AsyncIterable<RecordBatch>,
  sink: ByteSink,
): Promise<void> {
  const held = new HeldBytes()
  const writer = new RecordBatchFileWriter()
  writer.reset(held, schema) // writes the schema even when no batch follows
  const flush = async () => {
    for (const part of held.take()) await sink.write(part)
  }
  for await (const batch of batches) {
    writer.write(batch)
    await flush()
  }
  writer.close()
  await flush()
}
