/** Messages between the Parquet reader and its worker (worker.ts). */

export interface WorkerOptions {
  /** parquet-wasm's WebAssembly module, compiled. */
  wasm: WebAssembly.Module
  byteLength: number
  batchRows: number | undefined
  columns: string[] | undefined
}

export type ToWorker =
  /** Read and send the next row group (or `done`). */
  | { type: 'next' }
  | { type: 'bytes'; id: number; bytes: ArrayBuffer }
  | { type: 'bytes-error'; id: number; code: string | undefined; message: string }

export type FromWorker =
  | { type: 'slice'; id: number; start: number; end: number }
  | {
      type: 'info'
      rows: number
      rowGroups: { rows: number; compressedBytes: number; uncompressedBytes: number }[]
      createdBy: string | undefined
      /** The Arrow schema as an IPC stream with no batches. */
      schema: Uint8Array
    }
  /** One row group as an Arrow IPC stream (uncompressed). */
  | { type: 'rowGroup'; ipc: Uint8Array }
  | { type: 'done' }
  | {
      type: 'error'
      where: 'footer' | 'row group'
      code: string | undefined
      message: string
      rowGroup?: number
    }
