import type { ByteSource } from '../byte-source.js'
import { findSignature } from '../hdf5-layout/superblock.js'
import { hdf5Error } from './errors.js'

/** Longest superblock prefix we read: version 0/1 with 8-byte offsets up to the end-of-file address. */
const SUPERBLOCK_PREFIX = 64

export interface Hdf5Superblock {
  /** Byte offset of the signature (the user block size). */
  offset: number
  version: number
}

/**
 * Finds and checks the superblock before the HDF5 library sees the file, so a file that is not HDF5 or is
 * cut short gets BAD_MAGIC or TRUNCATED instead of whatever the library makes of it.
 */
export async function readSuperblock(source: ByteSource, file: string): Promise<Hdf5Superblock> {
  const offset = await findSignature(source)
  if (offset === undefined) {
    throw hdf5Error('BAD_MAGIC', { file }, 'no HDF5 signature at byte 0, 512, 1024, ...: not an HDF5 file')
  }
  const bytes = await source.slice(offset, Math.min(source.byteLength, offset + SUPERBLOCK_PREFIX))
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = bytes[8]
  const place = { file, offset }
  if (version === undefined) throw hdf5Error('TRUNCATED', place, 'file ends inside the superblock')
  // Version 0/1: sizes at bytes 13-14 and the base address at 24 (v0) or 28 (v1); 2/3: sizes at 9-10, base at 12.
  if (version > 3) throw hdf5Error('UNSUPPORTED_VERSION', place, `superblock version ${version}`)
  const offsetSize = version <= 1 ? bytes[13] : bytes[9]
  const baseAt = version === 0 ? 24 : version === 1 ? 28 : 12
  if (bytes.length < baseAt) throw hdf5Error('TRUNCATED', place, 'file ends inside the superblock')
  if (offsetSize !== 2 && offsetSize !== 4 && offsetSize !== 8) {
    throw hdf5Error('CORRUPT_CHUNK', place, `superblock gives ${offsetSize} bytes for addresses (2, 4 or 8)`)
  }
  // The end-of-file address is the third address after the base (v0/1: base, free space, EOF; v2/3: base,
  // superblock extension, EOF), relative to the superblock.
  const eofAt = baseAt + 2 * offsetSize
  if (bytes.length < eofAt + offsetSize)
    throw hdf5Error('TRUNCATED', place, 'file ends inside the superblock')
  const eof = readAddress(view, eofAt, offsetSize)
  if (eof > Number.MAX_SAFE_INTEGER) {
    throw hdf5Error('CORRUPT_CHUNK', place, `superblock end-of-file address ${eof} is absurd`)
  }
  const end = offset + Number(eof)
  if (end > source.byteLength) {
    throw hdf5Error(
      'TRUNCATED',
      place,
      `the superblock says the file spans ${end} bytes but it has ${source.byteLength}`,
    )
  }
  return { offset, version }
}

function readAddress(view: DataView, at: number, size: 2 | 4 | 8): bigint {
  if (size === 2) return BigInt(view.getUint16(at, true))
  if (size === 4) return BigInt(view.getUint32(at, true))
  return view.getBigUint64(at, true)
}
