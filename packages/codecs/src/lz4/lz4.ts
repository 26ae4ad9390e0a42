import { compressSync, uncompressSync } from 'lz4-napi'
import { decodeChecked } from '../checked.js'
import type { Codec } from '../codec.js'
import { readFrame, writeFrame } from './frame.js'

/**
 * lz4-napi's block API decodes at 2+ GB/s but writes size-prefixed blocks; its frame API is standard but
 * decodes at ~300 MB/s. So we wrap its fast blocks in a standard frame ourselves.
 * lz4-napi's block functions use a 4-byte little-endian size prefix, which we strip and re-add.
 */
function compressBlock(block: Uint8Array): Uint8Array {
  const prefixed = compressSync(Buffer.from(block.buffer, block.byteOffset, block.byteLength))
  return prefixed.subarray(4)
}

function decompressBlock(block: Uint8Array, maxSize: number): Uint8Array {
  const prefixed = Buffer.allocUnsafe(block.byteLength + 4)
  prefixed.writeUInt32LE(maxSize, 0)
  prefixed.set(block, 4)
  return uncompressSync(prefixed)
}

export const lz4: Codec = {
  name: 'lz4',
  // lz4-napi has no high-compression mode: the level is accepted for symmetry and ignored.
  levels: { min: 1, max: 1, default: 1 },
  encode: (raw) => writeFrame(raw, compressBlock),
  decode: (stored, rawSize, into) =>
    decodeChecked('lz4', rawSize, () => readFrame(stored, rawSize, decompressBlock, into)),
}
