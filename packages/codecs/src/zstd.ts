import zlib from 'node:zlib'
import { decodeChecked, outputChunk, outputLimit, plain } from './checked.js'
import type { Codec } from './codec.js'
import { processInto } from './zlib-into.js'

const { ZSTD_c_compressionLevel, ZSTD_c_checksumFlag } = zlib.constants

/** node:zlib's built-in zstd (Node >= 22.15): as fast as native bindings here, and no dependency. */
export const zstd: Codec = {
  name: 'zstd',
  levels: { min: 1, max: 22, default: 3 },
  encode: (raw, level = 3, into) => {
    const options = {
      params: { [ZSTD_c_compressionLevel]: level, [ZSTD_c_checksumFlag]: 0 },
      chunkSize: outputChunk(into?.byteLength ?? raw.byteLength),
    }
    if (into && into.byteLength >= 64) return plain(processInto(zlib.createZstdCompress(options), raw, into))
    return plain(zlib.zstdCompressSync(raw, options))
  },
  decode: (stored, rawSize, into) =>
    decodeChecked('zstd', rawSize, () => {
      const options = { maxOutputLength: outputLimit(rawSize), chunkSize: outputChunk(rawSize) }
      if (into && into.byteLength >= rawSize && rawSize >= 64) {
        return plain(processInto(zlib.createZstdDecompress(options), stored, into.subarray(0, rawSize)))
      }
      return plain(zlib.zstdDecompressSync(stored, options))
    }),
}
