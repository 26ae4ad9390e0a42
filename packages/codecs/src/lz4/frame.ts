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

/**
 * Writes one frame: independent blocks of up to 4 MiB, content size in the header, no checksums
 * (AstroPack keeps its own CRC-32 per chunk). Blocks that do not shrink are stored raw.
 */
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
    new DataView(size.buffer).setUint32(
      0,
      stored === block ? block.byteLength | BLOCK_UNCOMPRESSED : packed.byteLength,
      true,
    )
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

/** Checks the frame descriptor; returns its flags, block size limit and where the first block starts. */
function readDescriptor(stored: Uint8Array, view: DataView, rawSize: number) {
  if (stored.byteLength < 7 || view.getUint32(0, true) !== LZ4_FRAME_MAGIC) throw corrupt('not an LZ4 frame')
  const flg = stored[4]!
  const bd = stored[5]!
  if ((flg & 0xc0) !== FLG_VERSION) throw corrupt(`unsupported frame version in FLG ${flg}`)
  // Linked blocks need the previous 64 KiB as a dictionary, which lz4-napi's block API cannot take.
  if (!(flg & FLG_BLOCK_INDEPENDENT)) throw corrupt('linked blocks (lz4 -BD) are not supported')
  if (flg & FLG_DICT_ID) throw corrupt('dictionary frames are not supported')
  const blockMax = BLOCK_MAX_SIZES[(bd >> 4) & 7]
  if (blockMax === undefined) throw corrupt(`bad block size code in BD ${bd}`)
  let at = 6
  if (flg & FLG_CONTENT_SIZE) {
    if (stored.byteLength < at + 9) throw corrupt('truncated frame header')
    const contentSize = view.getBigUint64(at, true)
    if (contentSize !== BigInt(rawSize))
      throw corrupt(`frame declares ${contentSize} bytes, expected ${rawSize}`)
    at += 8
  }
  if (stored[at] !== ((xxh32(stored.subarray(4, at)) >>> 8) & 0xff)) throw corrupt('header checksum mismatch')
  return { flg, blockMax, start: at + 1 }
}

/**
 * Reads one frame into exactly `rawSize` bytes; never writes past it. A first pass over the block headers
 * checks the frame's structure and that it can decode to `rawSize` at all, before anything is allocated.
 * Block and content checksums (lz4 CLI frames) are verified when present.
 */
export function readFrame(
  stored: Uint8Array,
  rawSize: number,
  decompressBlock: BlockDecompress,
  into?: Uint8Array,
): Uint8Array {
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength)
  const { flg, blockMax, start } = readDescriptor(stored, view, rawSize)
  const blockChecksums = (flg & FLG_BLOCK_CHECKSUM) !== 0
  let at = start
  let maxDecoded = 0
  for (;;) {
    if (at + 4 > stored.byteLength) throw corrupt('truncated block header')
    const word = view.getUint32(at, true)
    at += 4
    if (word === 0) break
    const size = word & ~BLOCK_UNCOMPRESSED
    if (size > blockMax) throw corrupt(`block of ${size} bytes exceeds the frame's ${blockMax}`)
    at += size + (blockChecksums ? 4 : 0)
    if (at > stored.byteLength) throw corrupt('truncated block')
    maxDecoded += word & BLOCK_UNCOMPRESSED ? size : blockMax
  }
  const end = at + (flg & FLG_CONTENT_CHECKSUM ? 4 : 0)
  if (end > stored.byteLength) throw corrupt('truncated frame trailer')
  if (end < stored.byteLength) throw corrupt(`${stored.byteLength - end} stray bytes after the frame`)
  if (rawSize > maxDecoded)
    throw corrupt(`frame can decode to at most ${maxDecoded} bytes, expected ${rawSize}`)

  const out = into && into.byteLength >= rawSize ? into.subarray(0, rawSize) : new Uint8Array(rawSize)
  let written = 0
  at = start
  for (;;) {
    const word = view.getUint32(at, true)
    at += 4
    if (word === 0) break
    const size = word & ~BLOCK_UNCOMPRESSED
    const block = stored.subarray(at, at + size)
    at += size
    if (blockChecksums) {
      if (xxh32(block) !== view.getUint32(at, true)) throw corrupt('block checksum mismatch')
      at += 4
    }
    const room = rawSize - written
    const data = word & BLOCK_UNCOMPRESSED ? block : decompressBlock(block, Math.min(blockMax, room))
    if (data.byteLength > room) throw corrupt(`frame decodes to more than ${rawSize} bytes`)
    out.set(data, written)
    written += data.byteLength
  }
  if (written !== rawSize) throw corrupt(`frame decodes to ${written} bytes, expected ${rawSize}`)
  if (flg & FLG_CONTENT_CHECKSUM && xxh32(out) !== view.getUint32(at, true))
    throw corrupt('content checksum mismatch')
  return out
}
