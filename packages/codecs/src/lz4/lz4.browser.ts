import { decodeChecked } from '../checked.js'
import type { Codec } from '../codec.js'
import { compressBlock, decompressBlock } from './block.js'
import { readFrame, writeFrame } from './frame.js'

/** The same frames as the Node codec, with blocks coded in TypeScript instead of lz4-napi's native addon. */
export const lz4: Codec = {
  name: 'lz4',
  levels: { min: 1, max: 1, default: 1 },
  encode: (raw) => writeFrame(raw, compressBlock),
  decode: (stored, rawSize) =>
    decodeChecked('lz4', rawSize, () => readFrame(stored, rawSize, decompressBlock)),
}
