import { AstropackError } from '../errors.js'
import { xxh32 } from './xxh32.js'

/** LZ4 frame format (lz4/doc/lz4_Frame_format.md), the subset AstroPack writes plus what it must skip. */
export const LZ4_FRAME_MAGIC = 0x184d2204
const FLG_VERSION = 0x40
const FLG_BLOCK_INDEPENDENT = 0x20
const FLG_BLOCK_CHECKSUM = 0x10
const FLG_CONTENT_SIZE = 0x08
const FLG_CONTENT_CHECKSUM = 0x04
const FLG_DICT_ID = 0x01
const BLOCK_UNCOMPRESSED = 0x80000000
/** BD byte value 7 = blocks of at most 4 MiB. */
export const BLOCK_MAX_CODE = 7
export const BLOCK_MAX_SIZE = 4 << 20
const BLOCK_MAX_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 }

export type BlockCompress = (block: Uint8Array) => Uint8Array
export type BlockDecompress = (block: Uint8Array, maxSize: number) => Uint8Array

/** Writes one frame: independent blocks of up to 4 MiB, content size in the header, no checksums. */
export function writeFrame(raw: Uint8Array, compressBlock: BlockCompress): Uint8Array {
  const parts: Uint8Array[] = []
  const header = new Uint8Array(4 + 2 + 8 + 1)
  const view = new DataView(header.buffer)
  view.setUint32(0, LZ4_FRAME_MAGIC, true)
  header[4] = FLG_VERSION | FLG_BLOCK_INDEPENDENT | FLG_CONTENT_SIZE
  header[5] = BLOCK_MAX_CODE << 4
  view.setBigUint64(6, BigInt(raw.byteLength), true)
  header[14] = (xxh32(header.subarray(4, 14)) >>> 8) & 0xff
  parts.push(header)
  let total = header.byteLength + 4
  for (let start = 0; start < raw.byteLength; start += BLOCK_MAX_SIZE) {
    const block = raw.subarray(start, Math.min(start + BLOCK_MAX_SIZE, raw.byteLength))
    const packed = compressBlock(block)
    const stored = packed.byteLength < block.byteLength ? packed : block
    const size = new Uint8Array(4)
    new DataView(size.buffer).setUint32(0, stored === block ? block.byteLength | BLOCK_UNCOMPRESSED : packed.byteLength, true)
    parts.push(size, stored)
    total += 4 + stored.byteLength
  }
  parts.push(new Uint8Array(4)) // EndMark
  const out = new Uint8Array(total)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

function corrupt(message: string): AstropackError {
  return new AstropackError('CORRUPT_CHUNK', `lz4: ${message}`)
}

/** Reads one frame into exactly `rawSize` bytes; never writes past it. */
export function readFrame(stored: Uint8Array, rawSize: number, decompressBlock: BlockDecompress): Uint8Array {
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength)
  if (stored.byteLength < 7 || view.getUint32(0, true) !== LZ4_FRAME_MAGIC) throw corrupt('not an LZ4 frame')
  const flg = stored[4]!
  const bd = stored[5]!
  if ((flg & 0xc0) !== FLG_VERSION) throw corrupt(`unsupported frame version in FLG ${flg}`)
  if (!(flg & FLG_BLOCK_INDEPENDENT)) throw corrupt('linked blocks are not supported')
  if (flg & FLG_DICT_ID) throw corrupt('dictionary frames are not supported')
  const blockMax = BLOCK_MAX_SIZES[(bd >> 4) & 7]
  if (blockMax === undefined) throw corrupt(`bad block size code in BD ${bd}`)
  let at = 6
  if (flg & FLG_CONTENT_SIZE) {
    if (stored.byteLength < at + 9) throw corrupt('truncated frame header')
    const contentSize = view.getBigUint64(at, true)
    if (contentSize !== BigInt(rawSize)) throw corrupt(`frame declares ${contentSize} bytes, expected ${rawSize}`)
    at += 8
  }
  if (stored[at] !== ((xxh32(stored.subarray(4, at)) >>> 8) & 0xff)) throw corrupt('header checksum mismatch')
  at += 1
  const out = new Uint8Array(rawSize)
  let written = 0
  for (;;) {
    if (at + 4 > stored.byteLength) throw corrupt('truncated block header')
    const word = view.getUint32(at, true)
    at += 4
    if (word === 0) break
    const size = word & ~BLOCK_UNCOMPRESSED
    if (size > blockMax || at + size > stored.byteLength) throw corrupt('block size out of range')
    const block = stored.subarray(at, at + size)
    const data = word & BLOCK_UNCOMPRESSED ? block : decompressBlock(block, blockMax)
    if (written + data.byteLength > rawSize) throw corrupt(`frame decodes to more than ${rawSize} bytes`)
    out.set(data, written)
    written += data.byteLength
    at += size + (flg & FLG_BLOCK_CHECKSUM ? 4 : 0)
  }
  if (flg & FLG_CONTENT_CHECKSUM) at += 4
  if (at > stored.byteLength) throw corrupt('truncated frame trailer')
  if (written !== rawSize) throw corrupt(`frame decodes to ${written} bytes, expected ${rawSize}`)
  return out
}
