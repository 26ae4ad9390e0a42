import { basename, resolve } from 'node:path'
import { isAstropackError } from '@astropack/codecs'
import type { Dataset, File } from 'h5wasm/node'
import { openFileSource } from '../byte-source.js'
import { hdf5Error } from './errors.js'
import { type Hdf5Superblock, readSuperblock } from './superblock.js'

export type H5wasm = typeof import('h5wasm/node')

let loading: Promise<H5wasm> | undefined

/** Loads h5wasm (its WebAssembly HDF5 library) on first use only; a failed load is retried next time. */
export function loadH5wasm(): Promise<H5wasm> {
  loading ??= import('h5wasm/node')
    .then(async (h5) => {
      await h5.ready
      return h5
    })
    .catch((error: unknown) => {
      loading = undefined
      throw error
    })
  return loading
}

/** An HDF5 file opened read-only by the HDF5 library, after our own signature and size checks. */
export interface OpenHdf5 {
  h5: H5wasm
  file: File
  /** The file's name, for messages. */
  name: string
  superblock: Hdf5Superblock
  byteLength: number
}

export async function openHdf5(path: string): Promise<OpenHdf5> {
  const name = basename(path)
  const source = await openFileSource(path).catch((error: NodeJS.ErrnoException) => {
    const code = error.code === 'ENOENT' ? 'NOT_FOUND' : 'IO'
    throw hdf5Error(code, { file: name }, error.message, error)
  })
  let superblock: Hdf5Superblock
  try {
    superblock = await readSuperblock(source, name)
  } finally {
    await source.close()
  }
  const h5 = await loadH5wasm()
  // h5wasm's Node build reads the real file system (NODERAWFS), so the file is read in place, not copied.
  const file = libraryCall({ file: name }, 'open the file', () => new h5.File(resolve(path), 'r'))
  if (file.file_id < 0n) {
    throw hdf5Error(
      'CORRUPT_CHUNK',
      { file: name },
      'the HDF5 library could not open the file (its reasons go to stderr)',
    )
  }
  return { h5, file, name, superblock, byteLength: source.byteLength }
}

export function closeHdf5(open: OpenHdf5): void {
  open.file.close()
}

/**
 * Runs an h5wasm call, turning what it throws (plain Errors from the C++ glue, WebAssembly traps) into a
 * typed error: such failures come from damaged structures in the file.
 */
export function libraryCall<T>(where: { file: string; object?: string }, action: string, call: () => T): T {
  try {
    return call()
  } catch (error) {
    if (isAstropackError(error)) throw error
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw hdf5Error('CORRUPT_CHUNK', where, `the HDF5 library could not ${action} (${reason})`, error)
  }
}

/**
 * Reads rows [start, end) of a dataset (whole along the other dimensions) as raw bytes in little-endian
 * order (h5wasm asks HDF5 for little-endian memory types), without h5wasm's per-row JS conversion.
 */
export function readRows(
  open: OpenHdf5,
  dataset: Dataset,
  shape: readonly number[],
  rowBytes: number,
  start: number,
  end: number,
): Uint8Array {
  const { Module } = open.h5
  const where = { file: open.name, object: dataset.path }
  const nbytes = rowBytes * (end - start)
  const pointer = Module._malloc(Math.max(1, nbytes))
  if (pointer === 0)
    throw hdf5Error('LIMIT_EXCEEDED', where, `could not allocate ${nbytes} bytes in WebAssembly memory`)
  try {
    const count = shape.map((size, i) => BigInt(i === 0 ? end - start : size))
    const offset = shape.map((_, i) => BigInt(i === 0 ? start : 0))
    const strides = shape.map(() => 1n)
    const status = libraryCall(where, `read rows ${start} to ${end}`, () =>
      Module.get_dataset_data(open.file.file_id, dataset.path, count, offset, strides, BigInt(pointer)),
    )
    if (status < 0) {
      throw hdf5Error(
        'CORRUPT_CHUNK',
        where,
        `the HDF5 library could not read rows ${start} to ${end} (see stderr)`,
      )
    }
    // HEAPU8 is looked up after the read: memory growth during it replaces the view.
    return Module.HEAPU8.slice(pointer, pointer + nbytes)
  } finally {
    Module._free(pointer)
  }
}
