export type { Codec, CodecName } from './codec.js'
export { crc32 } from './crc32.js'
export { AstropackError, type ErrorCode, isAstropackError } from './errors.js'
export { codecNames, isCodecName, loadCodec, resolveLevel } from './registry.js'
