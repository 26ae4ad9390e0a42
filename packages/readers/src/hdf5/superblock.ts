import type { ByteSource } from '../byte-source.js'
import { readSuperblock as readLayoutSuperblock } from '../hdf5-layout/superblock.js'
import { hdf5Error } from './errors.js'

export interface Hdf5Superblock {
  /** Byte offset of the signature (the user block size). */
  offset: number
  version: number
}

/**
 * Checks the superblock (with the dataset locator's reader) before the HDF5 library sees the file, so a
 * file that is not HDF5 or is cut short gets BAD_MAGIC or TRUNCATED instead of whatever the library makes
 * of it.
 */
export async function readSuperblock(source: ByteSource, file: string): Promise<Hdf5Superblock> {
  const { offset, version, end } = await readLayoutSuperblock(source)
  if (end > source.byteLength) {
    throw hdf5Error(
      'TRUNCATED',
      { file, offset },
      `the superblock says the file spans ${end} bytes but it has ${source.byteLength}`,
    )
  }
  return { offset, version }
}
