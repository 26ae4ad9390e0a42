import { decodeChecked } from './checked.js'
import type { Codec } from './codec.js'

export const none: Codec = {
  name: 'none',
  levels: { min: 0, max: 0, default: 0 },
  encode: (raw) => raw,
  decode: (stored, rawSize) => decodeChecked('none', rawSize, () => stored),
}
