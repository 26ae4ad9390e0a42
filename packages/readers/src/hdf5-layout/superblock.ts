import type { ByteSource } from '../byte-source.js'
import { verifyChecksum } from './checksum.js'
import { Fields, Hdf5File, hdf5Error } from './fields.js'

/** The format signature: `\x89HDF\r\n\x1a\n`. */
export const HDF5_SIGNATURE = Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)
/** The signature sits at 0, 512, 1024, 2048, ... (a user block before it is a power of two from 512). */
const FIRST_USER_BLOCK = 512
/** Superblock v0/v1 with 8-byte offsets and lengths is the largest read: 96 bytes plus a v1's 4 more. */
const SUPERBLOCK_READ = 128

export interface Superblock {
  /** Absolute offset of the signature. */
  offset: number
  version: number
  /** Object header address of the root group (relative to the base address). */
  rootAddress: number
  /** Where the file's data end (absolute): the superblock's end-of-file address. */
  end: number
  file: Hdf5File
}

/** True when `bytes` hold the HDF5 signature at `at`. */
export function hasHdf5Signature(bytes: Uint8Array, at = 0): boolean {
  return HDF5_SIGNATURE.every((byte, i) => bytes[at + i] === byte)
}

/** Where the signature lies: 0 or a power of two from 512; undefined when there is none. */
export async function findSignature(source: ByteSource): Promise<number | undefined> {
  for (
    let at = 0;
    at + HDF5_SIGNATURE.length <= source.byteLength;
    at = at === 0 ? FIRST_USER_BLOCK : at * 2
  ) {
    if (hasHdf5Signature(await source.slice(at, at + HDF5_SIGNATURE.length))) return at
  }
  return undefined
}

function checkSize(size: number, what: string, place: number): number {
  if (size === 16) throw hdf5Error('UNSUPPORTED_FEATURE', place, `16-byte ${what} (2, 4 or 8 are read)`)
  if (size !== 2 && size !== 4 && size !== 8)
    throw hdf5Error('CORRUPT_CHUNK', place, `size of ${what} ${size}: HDF5 allows 2, 4, 8 or 16`)
  return size
}

/**
 * Reads the superblock (versions 0 to 3). Addresses in the file are relative to the base address; as
 * libhdf5 does, the base is taken to be where the superblock was found (a user block moves both).
 */
export async function readSuperblock(source: ByteSource): Promise<Superblock> {
  const offset = await findSignature(source)
  if (offset === undefined) throw hdf5Error('BAD_MAGIC', 0, 'no HDF5 signature at 0, 512, 1024, 2048, ...')
  const end = Math.min(source.byteLength, offset + SUPERBLOCK_READ)
  const fields = new Fields(await source.slice(offset, end), offset, 8, 8)
  fields.skip(HDF5_SIGNATURE.length)
  if (fields.remaining < 1) throw fields.fail('TRUNCATED', 'the superblock is cut short')
  const version = fields.u8()
  // Up to the sizes of offsets and lengths: 6 more bytes (v0/1) or 2 (v2/3).
  if (fields.remaining < (version <= 1 ? 6 : 2)) throw fields.fail('TRUNCATED', 'the superblock is cut short')
  let offsetSize: number
  let lengthSize: number
  if (version === 0 || version === 1) {
    fields.skip(4) // free-space, root symbol table entry and shared header versions, reserved
    offsetSize = checkSize(fields.u8(), 'offsets', fields.place - 1)
    lengthSize = checkSize(fields.u8(), 'lengths', fields.place - 1)
    fields.skip(1 + 2 + 2 + 4) // reserved, group leaf and internal node K, consistency flags
    if (version === 1) fields.skip(4) // indexed storage internal node K, reserved
  } else if (version === 2 || version === 3) {
    offsetSize = checkSize(fields.u8(), 'offsets', fields.place - 1)
    lengthSize = checkSize(fields.u8(), 'lengths', fields.place - 1)
    fields.skip(1) // consistency flags
  } else {
    throw hdf5Error('UNSUPPORTED_VERSION', offset + 8, `superblock version ${version}`)
  }
  // v0/1: base, free-space, end-of-file and driver addresses, then the root entry's name offset and
  // object header address; v2/3: base, extension, end-of-file and root addresses, and a checksum.
  const rest = version <= 1 ? 6 * offsetSize : 4 * offsetSize + 4
  if (fields.at + rest > fields.bytes.byteLength)
    throw hdf5Error('TRUNCATED', offset, 'the superblock is cut short by the end of the file')
  const sized = new Fields(fields.bytes, offset, offsetSize, lengthSize)
  sized.at = fields.at
  sized.skip(2 * offsetSize) // base address; free-space (v0/1) or superblock extension (v2/3) address
  const endOfFile = sized.address()
  sized.skip((version <= 1 ? 2 : 0) * offsetSize) // driver information, root entry's link name offset
  const rootAddress = sized.address()
  if (version >= 2) verifyChecksum(sized, sized.at, 'superblock')
  if (rootAddress === undefined)
    throw sized.fail('CORRUPT_CHUNK', 'the root group has no object header address')
  if (endOfFile === undefined || !Number.isSafeInteger(offset + endOfFile))
    throw hdf5Error('CORRUPT_CHUNK', offset, 'the superblock has no usable end-of-file address')
  return {
    offset,
    version,
    rootAddress,
    end: offset + endOfFile,
    file: new Hdf5File(source, offset, offsetSize, lengthSize),
  }
}
