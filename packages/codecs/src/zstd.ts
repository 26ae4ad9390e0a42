import zlib from 'node:zlib'
import { decodeChecked, outputLimit } from './checked.js'
import type { Codec } from './codec.js'

const { ZSTD_c_compressionLevel, ZSTD_c_checksumFlag } = zlib.constants

/** node:zlib's built-in zstd (Node >= 22.15): as fast as native bindings here, and no dependency. */
export const zstd: Codec = {
  name: 'zstd',
  levels: { min: 1, max: 22, default: 3 },
  encode: (raw, level = 3) =>
    zlib.zstdCompressSync(raw, {
      params: { [ZSTD_c_compressionLevel]: level, [ZSTD_c_checksumFlag]: 0 },
    }),
  decode: (stored, rawSize) =>
    decodeChecked('zstd', rawSize, () => zlib.zstdDecompressSync(stored, { maxOutputLength: outputLimit(rawSize) })),
}
