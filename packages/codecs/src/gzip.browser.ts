import { gunzipSync, gzipSync } from 'fflate'
import { checkExpansion, corruptChunk, decodeChecked } from './checked.js'
import type { Codec } from './codec.js'
import { crc32 } from './crc32.browser.js'

/** Deflate's best case is 1032:1. */
const MAX_RATIO = 1032
type Level = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9

/**
 * fflate gzip. fflate neither checks the trailer's CRC-32 and size nor stops at the end of the buffer it
 * is given (it drops the rest), so both trailer fields are checked here.
 */
export const gzip: Codec = {
  name: 'gzip',
  levels: { min: 1, max: 9, default: 6 },
  // mtime 0, as node:zlib writes, keeps frames reproducible.
  encode: (raw, level = 6) => gzipSync(raw, { level: level as Level, mtime: 0 }),
  decode: (stored, rawSize) =>
    decodeChecked('gzip', rawSize, () => {
      if (stored.byteLength < 18) throw corruptChunk('gzip', 'truncated member')
      const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength)
      const crc = view.getUint32(stored.byteLength - 8, true)
      const size = view.getUint32(stored.byteLength - 4, true)
      if (size !== rawSize % 2 ** 32)
        throw corruptChunk('gzip', `member declares ${size} bytes, expected ${rawSize}`)
      checkExpansion('gzip', stored, rawSize, MAX_RATIO)
      const out = gunzipSync(stored, { out: new Uint8Array(rawSize) })
      if (out.byteLength === rawSize && crc32(out) !== crc) throw corruptChunk('gzip', 'CRC-32 mismatch')
      return out
    }),
}
