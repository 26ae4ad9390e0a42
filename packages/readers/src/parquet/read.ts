import { readFile } from 'node:fs/promises'
import { Worker } from 'node:worker_threads'
import { type ErrorCode, isAstropackError } from '@astropack/codecs'
import { type RecordBatch, type Schema, tableFromIPC } from 'apache-arrow'
import { type ByteSource, type FileSource, openFileSource } from '../byte-source.js'
import { checkParquetTail, parquetError } from './footer.js'
import type { FromWorker, ToWorker, WorkerOptions } from './protocol.js'

export interface ParquetReadOptions {
  /** Rows per RecordBatch, at most one row group's; by default a row group is one batch. */
  batchRows?: number
  /** Column names to read, in the file's order; all when absent. */
  columns?: readonly string[]
}

export interface ParquetInfo {
  rows: number
  rowGroups: { rows: number; compressedBytes: number; uncompressedBytes: number }[]
  createdBy: string | undefined
  schema: Schema
}

/**
 * Streams a Parquet file as Arrow RecordBatches, one row group at a time: memory holds one decoded row
 * group, not the file. Decoding is parquet-wasm's (Rust's parquet crate: every codec and encoding), run in
 * a worker thread that reads its bytes from `input` (a ByteSource, or a path opened here).
 */
export async function* readParquetBatches(
  input: ByteSource | string,
  options: ParquetReadOptions = {},
): AsyncGenerator<RecordBatch, void, undefined> {
  const { batchRows } = options
  if (batchRows !== undefined && (!Number.isSafeInteger(batchRows) || batchRows < 1)) {
    throw parquetError('USAGE', undefined, `batchRows must be a positive integer, not ${batchRows}`)
  }
  yield* withWorker(input, options, async function* (session) {
    const names = new Set(session.info.schema.fields.map((field) => field.name))
    const missing = options.columns?.find((name) => !names.has(name))
    if (missing !== undefined) throw parquetError('NOT_FOUND', undefined, `no column ${missing}`)
    for (let index = 0; index < session.info.rowGroups.length; index++) {
      yield* tableFromIPC(await session.rowGroup(index)).batches
    }
  })
}

/** The file's row count, row groups and Arrow schema, from its footer alone. */
export async function readParquetInfo(input: ByteSource | string): Promise<ParquetInfo> {
  for await (const info of withWorker(input, {}, async function* (session) {
    yield session.info
  })) {
    return info
  }
  throw parquetError('CORRUPT_INDEX', undefined, 'no footer')
}

/** The Arrow schema readParquetBatches gives when reading all columns. */
export async function parquetSchema(input: ByteSource | string): Promise<Schema> {
  return (await readParquetInfo(input)).schema
}

let compiling: Promise<WebAssembly.Module> | undefined

/** Compiles parquet-wasm (6 MB of WebAssembly) on first use only; a failure is retried next time. */
function parquetWasm(): Promise<WebAssembly.Module> {
  compiling ??= readFile(new URL(import.meta.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')))
    .then((bytes) => WebAssembly.compile(bytes))
    .catch((error: unknown) => {
      compiling = undefined
      throw error
    })
  return compiling
}

interface WorkerSession {
  info: ParquetInfo
  /** Asks the worker for the next row group, `index`, and waits for it as an Arrow IPC stream. */
  rowGroup(index: number): Promise<Uint8Array>
}

/** Opens `input`, checks its tail, starts a worker over it, and runs `use`; the worker ends with `use`. */
async function* withWorker<T>(
  input: ByteSource | string,
  options: ParquetReadOptions,
  use: (session: WorkerSession) => AsyncGenerator<T, void, undefined>,
): AsyncGenerator<T, void, undefined> {
  const source = typeof input === 'string' ? await openPath(input) : input
  let worker: Worker | undefined
  try {
    await checkParquetTail(source)
    const workerData: WorkerOptions = {
      wasm: await parquetWasm(),
      byteLength: source.byteLength,
      batchRows: options.batchRows,
      columns: options.columns?.slice(),
    }
    // No inherited flags: `node --input-type=module -e` would stop the worker from loading a file.
    worker = new Worker(new URL('./worker.js', import.meta.url), { workerData, execArgv: [] })
    const inbox = new Inbox(worker, source)
    const first = await inbox.receive('the footer')
    if (first.type !== 'info') throw unexpected(first)
    const info: ParquetInfo = { ...first, schema: tableFromIPC(first.schema).schema }
    const rowGroup = async (index: number) => {
      const what = `row group ${index}`
      worker!.postMessage({ type: 'next' } satisfies ToWorker)
      const message = await inbox.receive(what)
      if (message.type !== 'rowGroup') throw unexpected(message)
      return message.ipc
    }
    yield* use({ info, rowGroup })
  } finally {
    await worker?.terminate()
    if (typeof input === 'string') await (source as FileSource).close()
  }
}

/** Messages from the worker, in order; slices it asks for are answered from the source as they come. */
class Inbox {
  readonly #messages: FromWorker[] = []
  #waiting: ((message: FromWorker | Error) => void) | undefined
  #failure: Error | undefined

  constructor(
    readonly worker: Worker,
    readonly source: ByteSource,
  ) {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'slice') this.#answer(message)
      else this.#deliver(message)
    })
    // A panic in parquet-wasm is an uncaught error in the worker: it ends the worker, not the process.
    worker.on('error', (error) => this.#fail(error))
    worker.on('exit', (code) => this.#fail(new Error(`worker exited with code ${code}`)))
  }

  /** The next message, or a typed error naming `what` was being read when the worker failed. */
  async receive(what: string): Promise<FromWorker> {
    const next =
      this.#messages.shift() ??
      this.#failure ??
      (await new Promise<FromWorker | Error>((resolve) => {
        this.#waiting = resolve
      }))
    if (next instanceof Error) {
      // A WebAssembly trap is parquet-wasm tripping over the file; anything else (a missing module, no
      // memory) is not the file's fault and goes out as it is.
      if (next.name !== 'RuntimeError') throw next
      const code = what === 'the footer' ? 'CORRUPT_INDEX' : 'CORRUPT_CHUNK'
      throw parquetError(code, undefined, `parquet-wasm failed on ${what} (${next.message})`, next)
    }
    if (next.type === 'error') {
      const code = isErrorCode(next.code)
        ? next.code
        : next.where === 'footer'
          ? 'CORRUPT_INDEX'
          : 'CORRUPT_CHUNK'
      throw parquetError(code, undefined, `parquet-wasm could not read ${what}: ${next.message}`)
    }
    return next
  }

  #deliver(message: FromWorker | Error): void {
    const waiting = this.#waiting
    this.#waiting = undefined
    if (waiting !== undefined) waiting(message)
    else if (!(message instanceof Error)) this.#messages.push(message)
  }

  #fail(error: Error): void {
    this.#failure ??= error
    this.#deliver(this.#failure)
  }

  async #answer({ id, start, end }: { id: number; start: number; end: number }): Promise<void> {
    let reply: ToWorker
    try {
      const bytes = await this.source.slice(start, end)
      if (bytes.length !== end - start) {
        throw parquetError('TRUNCATED', start, `asked for ${end - start} bytes, got ${bytes.length}`)
      }
      // A copy: the source's bytes may be a view into the caller's buffer, which a transfer would detach.
      const copy = bytes.slice().buffer
      this.worker.postMessage({ type: 'bytes', id, bytes: copy } satisfies ToWorker, [copy])
      return
    } catch (error) {
      const code = isAstropackError(error) ? error.code : 'IO'
      reply = {
        type: 'bytes-error',
        id,
        code,
        message: error instanceof Error ? error.message : String(error),
      }
    }
    this.worker.postMessage(reply)
  }
}

function unexpected(message: FromWorker): Error {
  return parquetError(
    'CORRUPT_CHUNK',
    undefined,
    `unexpected message ${message.type} from the Parquet worker`,
  )
}

const SOURCE_CODES = new Set<string>(['TRUNCATED', 'IO', 'RANGE_NOT_SUPPORTED'])

/** Codes a worker passes on from the source's own errors; anything else is the file's fault. */
function isErrorCode(code: string | undefined): code is ErrorCode {
  return code !== undefined && SOURCE_CODES.has(code)
}

async function openPath(path: string): Promise<FileSource> {
  return openFileSource(path).catch((error: NodeJS.ErrnoException) => {
    throw parquetError(error.code === 'ENOENT' ? 'NOT_FOUND' : 'IO', undefined, error.message, error)
  })
}
