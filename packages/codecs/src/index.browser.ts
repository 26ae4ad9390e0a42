// The browser build: the same API as index.ts, without node:zlib or native addons.
export type { Codec, CodecName } from './codec.js'
export { crc32 } from './crc32.browser.js'
export { AstropackError, type ErrorCode, isAstropackError } from './errors.js'
export { GRID_DIVISORS } from './grid.js'
export { codecNames, isCodecName, loadCodec, resolveLevel } from './registry.browser.js'
export { createSha256 } from './sha256.browser.js'
export type { Sha256 } from './sha256.js'
export {
  applyTransforms,
  type ElementWidth,
  invertTransforms,
  isElementWidth,
  isSplit,
  MAX_LAG,
  TRANSFORM_OP_IDS,
  type TransformOp,
  type TransformStep,
} from './transforms.js'
