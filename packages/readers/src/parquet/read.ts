import { type ErrorCode, isAstropackError } from '@astropack/codecs'
import { type RecordBatch, type Schema, tableFromIPC } from 'apache-arrow'
import type { ParquetFile } from 'parquet-wasm'
import { type ByteSource, type FileSource, openFileSource } from '../byte-source.js'
import { checkParquetTail, parquetError } from './footer.js'

type ParquetWasm = typeof import('parquet-wasm')

let loading: Promise<ParquetWasm> | undefined

/** Loads parquet-wasm (WebAssembly, ~6 MB) on first use only; a failed load is retried next time. */
function loadParquetWasm(): Promise<ParquetWasm> {
  loading ??= import('parquet-wasm').catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

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
 * group, not the file. Reads through parquet-wasm (Rust's parquet crate: every codec and encoding).
 */
export async function* readParquetBatches(
  input: ByteSource | string,
  options: ParquetReadOptions = {},
): AsyncGenerator<RecordBatch, void, undefined> {
  const { batchRows } = options
  if (batchRows !== undefined && (!Number.isSafeInteger(batchRows) || batchRows < 1)) {
    throw parquetError('USAGE', undefined, `batchRows must be a positive integer, not ${batchRows}`)
  }
  yield* withParquetFile(input, async function* (file) {
    const groups = file.metadata().rowGroups()
    for (let index = 0; index < groups.length; index++) {
      const batchSize = Math.max(1, batchRows ?? groups[index]!.numRows())
      const columns = options.columns?.slice()
      const table = await wasmCall(`row group ${index}`, 'CORRUPT_CHUNK', () =>
        file.read({ rowGroups: [index], batchSize, columns }),
      )
      // intoIPCStream hands the wasm table over (and frees it).
      yield* tableFromIPC(table.intoIPCStream()).batches
    }
  })
}

/** The file's row count, row groups and Arrow schema, from its footer alone. */
export async function readParquetInfo(input: ByteSource | string): Promise<ParquetInfo> {
  const infos = withParquetFile(input, async function* (file) {
    const metadata = file.metadata()
    yield {
      rows: metadata.fileMetadata().numRows(),
      rowGroups: metadata.rowGroups().map((group) => ({
        rows: group.numRows(),
        compressedBytes: group.compressedSize(),
        uncompressedBytes: group.totalByteSize(),
      })),
      createdBy: metadata.fileMetadata().createdBy(),
      schema: tableFromIPC(file.schema().intoIPCStream()).schema,
    }
  })
  for await (const info of infos) return info
  throw parquetError('CORRUPT_INDEX', undefined, 'no footer')
}

/** The Arrow schema readParquetBatches gives when reading all columns. */
export async function parquetSchema(input: ByteSource | string): Promise<Schema> {
  return (await readParquetInfo(input)).schema
}

/**
 * Opens `input` (a path is opened and closed here), checks its tail, and runs `use` over a parquet-wasm
 * ParquetFile that reads through the source, passing on what it yields.
 */
async function* withParquetFile<T>(
  input: ByteSource | string,
  use: (file: ParquetFile) => AsyncGenerator<T, void, undefined>,
): AsyncGenerator<T, void, undefined> {
  const source = typeof input === 'string' ? await openPath(input) : input
  try {
    await checkParquetTail(source)
    const wasm = await loadParquetWasm()
    const file = await wasmCall('the footer', 'CORRUPT_INDEX', () =>
      wasm.ParquetFile.fromFile(new SourceBlob(source)),
    )
    try {
      yield* use(file)
    } finally {
      file.free()
    }
  } finally {
    if (typeof input === 'string') await (source as FileSource).close()
  }
}

async function openPath(path: string): Promise<FileSource> {
  return openFileSource(path).catch((error: NodeJS.ErrnoException) => {
    throw parquetError(error.code === 'ENOENT' ? 'NOT_FOUND' : 'IO', undefined, error.message, error)
  })
}

/** Runs a parquet-wasm call, turning its plain errors (thrift, decompression, panics) into typed ones. */
async function wasmCall<T>(what: string, code: ErrorCode, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (isAstropackError(error)) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw parquetError(code, undefined, `parquet-wasm could not read ${what}: ${reason}`, error)
  }
}

/**
 * parquet-wasm reads a file through a Blob's `size`, `slice` and `arrayBuffer`; this Blob reads each
 * slice from a ByteSource when asked, so only the footer and the row groups being read are fetched.
 */
class SourceBlob extends Blob {
  readonly #source: ByteSource
  readonly #start: number
  readonly #end: number

  constructor(source: ByteSource, start = 0, end = source.byteLength) {
    super()
    this.#source = source
    this.#start = start
    this.#end = end
    // Blob's size is a getter of its own contents (none here); this one shadows it.
    Object.defineProperty(this, 'size', { value: end - start })
  }

  override slice(start = 0, end = this.size): Blob {
    const at = (offset: number) =>
      offset < 0 ? Math.max(0, this.size + offset) : Math.min(offset, this.size)
    return new SourceBlob(this.#source, this.#start + at(start), this.#start + Math.max(at(start), at(end)))
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#source.slice(this.#start, this.#end)
    if (bytes.length !== this.#end - this.#start) {
      throw parquetError(
        'TRUNCATED',
        this.#start,
        `asked for ${this.#end - this.#start} bytes, got ${bytes.length}`,
      )
    }
    return bytes.slice().buffer
  }
}
