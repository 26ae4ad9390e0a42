import { type Fields, hdf5Error } from './fields.js'

const rot = (x: number, k: number) => (x << k) | (x >>> (32 - k))

/**
 * Bob Jenkins' lookup3 `hashlittle` with an initial value of 0: the checksum of HDF5 version 2 metadata
 * (superblock v2/3, v2 object header chunks). Word arithmetic is kept to 32 bits with `| 0` and `>>> 0`.
 */
export function lookup3(bytes: Uint8Array): number {
  let length = bytes.byteLength
  let a = (0xdeadbeef + length) | 0
  let b = a
  let c = a
  let o = 0
  const word = (at: number) =>
    bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)
  while (length > 12) {
    a = (a + word(o)) | 0
    b = (b + word(o + 4)) | 0
    c = (c + word(o + 8)) | 0
    a = (a - c) | 0
    a ^= rot(c, 4)
    c = (c + b) | 0
    b = (b - a) | 0
    b ^= rot(a, 6)
    a = (a + c) | 0
    c = (c - b) | 0
    c ^= rot(b, 8)
    b = (b + a) | 0
    a = (a - c) | 0
    a ^= rot(c, 16)
    c = (c + b) | 0
    b = (b - a) | 0
    b ^= rot(a, 19)
    a = (a + c) | 0
    c = (c - b) | 0
    c ^= rot(b, 4)
    b = (b + a) | 0
    length -= 12
    o += 12
  }
  if (length === 0) return c >>> 0
  // The last 1-12 bytes, little-endian into a, b, c (missing bytes count as zero).
  const tail = new Uint8Array(12)
  tail.set(bytes.subarray(o, o + length))
  const last = (at: number) =>
    tail[at]! | (tail[at + 1]! << 8) | (tail[at + 2]! << 16) | (tail[at + 3]! << 24)
  a = (a + last(0)) | 0
  b = (b + last(4)) | 0
  c = (c + last(8)) | 0
  c ^= b
  c = (c - rot(b, 14)) | 0
  a ^= c
  a = (a - rot(c, 11)) | 0
  b ^= a
  b = (b - rot(a, 25)) | 0
  c ^= b
  c = (c - rot(b, 16)) | 0
  a ^= c
  a = (a - rot(c, 4)) | 0
  b ^= a
  b = (b - rot(a, 14)) | 0
  c ^= b
  c = (c - rot(b, 24)) | 0
  return c >>> 0
}

/** The lookup3 checksum closing a metadata block. */
export const CHECKSUM_BYTES = 4

/** Checks that the 4 bytes after `end` in a block are the lookup3 checksum of bytes [0, end). */
export function verifyChecksum(block: Fields, end: number, what: string): void {
  const bytes = block.bytes
  if (end + CHECKSUM_BYTES > bytes.byteLength)
    throw hdf5Error('TRUNCATED', block.fileOffset, `the ${what} has no checksum`)
  const stored =
    (bytes[end]! | (bytes[end + 1]! << 8) | (bytes[end + 2]! << 16) | (bytes[end + 3]! << 24)) >>> 0
  if (lookup3(bytes.subarray(0, end)) !== stored)
    throw hdf5Error('CHECKSUM_MISMATCH', block.fileOffset, `the ${what} fails its checksum`)
}
