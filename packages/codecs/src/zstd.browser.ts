import { compress, init } from '@bokuweb/zstd-wasm'
import { ZSTDDecoder } from 'zstddec'
import { checkExpansion, corruptChunk, decodeChecked, outputLimit } from './checked.js'
import type { Codec } from './codec.js'

const ZSTD_MAGIC = 0xfd2fb528
/** The most a zstd frame expands: a 4-byte RLE block (3-byte header, 1 byte) gives up to 128 KiB. */
const MAX_RATIO = 32768
/**
 * zstddec cannot report a failed wasm malloc (it would decode over address 0), so requests stay far inside
 * wasm32's memory. AstroPack chunks are at most 64 MiB.
 */
const MAX_RAW_SIZE = 1 << 30

/** The frame header's content size, when the frame has one (zstd CLI reading a pipe leaves it out). */
export function frameContentSize(stored: Uint8Array): number | undefined {
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength)
  if (stored.byteLength < 5 || view.getUint32(0, true) !== ZSTD_MAGIC) return undefined
  const descriptor = stored[4]!
  const singleSegment = (descriptor >> 5) & 1
  const sizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6]!
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]!
  if (sizeBytes === 0 || at + sizeBytes > stored.byteLength) return undefined
  if (sizeBytes === 1) return stored[at]!
  if (sizeBytes === 2) return view.getUint16(at, true) + 256
  if (sizeBytes === 4) return view.getUint32(at, true)
  return Number(view.getBigUint64(at, true))
}

/**
 * @bokuweb/zstd-wasm encodes and zstddec decodes: the only browser zstd builds that worked and were fast
 * enough. Both instantiate wasm asynchronously; the registry awaits this loader, so a resolved codec is ready.
 */
export async function loadZstd(): Promise<Codec> {
  const decoder = new ZSTDDecoder()
  await Promise.all([init(), decoder.init()])
  return {
    name: 'zstd',
    levels: { min: 1, max: 22, default: 3 },
    encode: (raw, level = 3) => compress(raw, level),
    decode: (stored, rawSize) =>
      decodeChecked('zstd', rawSize, () => {
        const declared = frameContentSize(stored)
        if (declared !== undefined && declared !== rawSize) {
          throw corruptChunk('zstd', `frame declares ${declared} bytes, expected ${rawSize}`)
        }
        if (rawSize > MAX_RAW_SIZE) throw corruptChunk('zstd', `${rawSize} bytes exceeds the browser limit`)
        checkExpansion('zstd', stored, rawSize, MAX_RATIO)
        // zstddec returns an empty array on a decode error; decodeChecked then reports the size mismatch.
        return decoder.decode(stored, outputLimit(rawSize))
      }),
  }
}
