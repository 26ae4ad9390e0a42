export { AstropackError, type ErrorCode, isAstropackError } from '@astropack/codecs'
