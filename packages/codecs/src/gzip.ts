import zlib from 'node:zlib'
import { decodeChecked, outputChunk, outputLimit, plain } from './checked.js'
import type { Codec } from './codec.js'
import { processInto } from './zlib-into.js'

/** node:zlib gzip: 2-3x faster than fflate here. Each chunk is one complete gzip member. */
export const gzip: Codec = {
  name: 'gzip',
  levels: { min: 1, max: 9, default: 6 },
  encode: (raw, level = 6) => plain(zlib.gzipSync(raw, { level, chunkSize: outputChunk(raw.byteLength) })),
  decode: (stored, rawSize, into) =>
    decodeChecked('gzip', rawSize, () => {
      const options = { maxOutputLength: outputLimit(rawSize), chunkSize: outputChunk(rawSize) }
      if (into && into.byteLength >= rawSize && rawSize >= 64) {
        return plain(processInto(zlib.createGunzip(options), stored, into.subarray(0, rawSize)))
      }
      return plain(zlib.gunzipSync(stored, options))
    }),
}
