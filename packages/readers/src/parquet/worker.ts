// Runs parquet-wasm in a worker thread. parquet-wasm 0.8's async reader panics on some damaged pages inside
// a promise callback, which no caller can catch and which ends the whole process; in a worker it ends the
// worker only, and the reader turns that into a typed error. Bytes come from the caller's ByteSource, asked
// for by message, so the worker holds the footer and one row group, never the file.
import { parentPort, workerData } from 'node:worker_threads'
import { initSync, ParquetFile } from 'parquet-wasm/esm'
import type { FromWorker, ToWorker, WorkerOptions } from './protocol.js'

const port = parentPort!
const options = workerData as WorkerOptions
// The module is compiled once by the reader and shared: each worker only instantiates it.
initSync({ module: options.wasm })
const waiting = new Map<number, { resolve: (bytes: ArrayBuffer) => void; reject: (error: Error) => void }>()
const turns: (() => void)[] = []
let nextId = 0

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer)
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'next') {
    turns.shift()?.()
    return
  }
  const pending = waiting.get(message.id)!
  waiting.delete(message.id)
  if (message.type === 'bytes') pending.resolve(message.bytes)
  else pending.reject(Object.assign(new Error(message.message), { code: message.code }))
})

/** Waits until the reader asks for the next row group: one decoded row group at a time, however slow the consumer. */
const nextTurn = () => new Promise<void>((resolve) => turns.push(resolve))

/** parquet-wasm reads through a Blob's `size`, `slice` and `arrayBuffer`; this one asks the main thread for each slice. */
class MessageBlob extends Blob {
  readonly #start: number
  readonly #end: number

  constructor(start: number, end: number) {
    super()
    this.#start = start
    this.#end = end
    // Blob's size is a getter of its own contents (none here); this one shadows it.
    Object.defineProperty(this, 'size', { value: end - start })
  }

  override slice(start = 0, end = this.size): Blob {
    const at = (offset: number) =>
      offset < 0 ? Math.max(0, this.size + offset) : Math.min(offset, this.size)
    return new MessageBlob(this.#start + at(start), this.#start + Math.max(at(start), at(end)))
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    const id = nextId++
    send({ type: 'slice', id, start: this.#start, end: this.#end })
    return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }))
  }
}

/** Sends what failed as a plain message: `where` tells the reader which error code fits. */
function fail(where: 'footer' | 'row group', error: unknown, rowGroup?: number): void {
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? error.message : String(error)
  send({ type: 'error', where, code, message, rowGroup })
}

async function run(): Promise<void> {
  let file: ParquetFile
  try {
    file = await ParquetFile.fromFile(new MessageBlob(0, options.byteLength))
  } catch (error) {
    return fail('footer', error)
  }
  const metadata = file.metadata()
  const groups = metadata.rowGroups()
  send({
    type: 'info',
    rows: metadata.fileMetadata().numRows(),
    rowGroups: groups.map((group) => ({
      rows: group.numRows(),
      compressedBytes: group.compressedSize(),
      uncompressedBytes: group.totalByteSize(),
    })),
    createdBy: metadata.fileMetadata().createdBy(),
    schema: file.schema().intoIPCStream(),
  })
  for (let index = 0; index < groups.length; index++) {
    await nextTurn()
    const batchSize = Math.max(1, options.batchRows ?? groups[index]!.numRows())
    try {
      const table = await file.read({ rowGroups: [index], batchSize, columns: options.columns })
      // intoIPCStream hands the wasm table over (and frees it) and returns bytes outside wasm memory.
      const ipc = table.intoIPCStream()
      send({ type: 'rowGroup', ipc }, [ipc.buffer as ArrayBuffer])
    } catch (error) {
      return fail('row group', error, index)
    }
  }
  await nextTurn()
  send({ type: 'done' })
}

await run()
port.close()
