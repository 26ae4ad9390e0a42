/** Marker shared by every copy of this module, so `isAstropackError` works across duplicate installs. */
const MARKER = Symbol.for('astropack.error')

/** Every failure AstroPack reports on purpose carries one of these codes. */
export type ErrorCode =
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_FEATURE'
  | 'TRUNCATED'
  | 'CHECKSUM_MISMATCH'
  | 'CORRUPT_INDEX'
  | 'CORRUPT_CHUNK'
  | 'LIMIT_EXCEEDED'
  | 'UNKNOWN_CODEC'
  | 'BAD_LEVEL'
  | 'UNSAFE_PATH'
  | 'OUTPUT_EXISTS'
  | 'NOT_FOUND'
  | 'BAD_MANIFEST'
  | 'RANGE_NOT_SUPPORTED'
  | 'IO'
  | 'USAGE'
  // Delimited text tables (@astropack/readers csv): a row with another field count than the header,
  // a quoted field never closed (or followed by text), a value that does not fit a column's type.
  | 'CSV_RAGGED'
  | 'UNTERMINATED_QUOTE'
  | 'CSV_TYPE_MISMATCH'

export class AstropackError extends Error {
  readonly code: ErrorCode
  /** Byte offset of the damaged or offending region in the file being read, when known. */
  readonly offset: number | undefined
  readonly [MARKER] = true

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; offset?: number }) {
    super(message, options)
    this.name = 'AstropackError'
    this.code = code
    this.offset = options?.offset
  }
}

export function isAstropackError(value: unknown, code?: ErrorCode): value is AstropackError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[MARKER] === true &&
    (code === undefined || (value as AstropackError).code === code)
  )
}
