import { CHECKSUM_BYTES, verifyChecksum } from './checksum.js'
import type { Fields, Hdf5File } from './fields.js'

/** Client ID of a fixed or extensible array whose elements are addresses of unfiltered chunks. */
const UNFILTERED_CHUNKS = 0
/** Signature (4), version (1) and client ID or type (1): how fixed and extensible array and v2 B-tree blocks start. */
export const BLOCK_PREFIX = 6
export { CHECKSUM_BYTES }

/**
 * Reads one block of a fixed or extensible array (HDF5 File Format Specification, section VII), `length`
 * bytes ending in their lookup3 checksum: checks the signature, version 0, the client (unfiltered chunks)
 * and, for a block under a header, that it names that header. Fields are left after the header address.
 */
export async function readArrayBlock(
  file: Hdf5File,
  address: number,
  length: number,
  signature: string,
  what: string,
  header?: number,
): Promise<Fields> {
  const block = await file.read(address, length, what)
  block.expectSignature(signature, what)
  verifyChecksum(block, length - CHECKSUM_BYTES, what)
  const version = block.u8()
  if (version !== 0) throw block.fail('UNSUPPORTED_VERSION', `${what} version ${version}`)
  const client = block.u8()
  if (client !== UNFILTERED_CHUNKS)
    throw block.fail('CORRUPT_CHUNK', `${what} of client ${client} in a dataset without filters`)
  if (header !== undefined && block.address() !== header)
    throw block.fail('CORRUPT_CHUNK', `${what} of another array's header`)
  return block
}

/** `count` chunk addresses (undefined where no chunk was written). */
export function readAddresses(fields: Fields, count: number, into: (number | undefined)[]): void {
  for (let i = 0; i < count; i++) into.push(fields.address())
}

/** Bit `index` of a page bitmap, most significant bit first: whether that page was ever written. */
export function pageWritten(bitmap: Uint8Array, index: number): boolean {
  return ((bitmap[index >> 3]! >> (7 - (index & 7))) & 1) === 1
}
