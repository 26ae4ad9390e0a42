import { AstropackError, type ErrorCode } from '@astropack/codecs'

/** Builds a typed error whose message reads `HDF5 stars.h5, /catalog/ra: ...` (file, then object when known). */
export function hdf5Error(
  code: ErrorCode,
  where: { file: string; object?: string; offset?: number },
  text: string,
  cause?: unknown,
): AstropackError {
  const object = where.object === undefined ? '' : `, ${where.object}`
  const offset = where.offset === undefined ? '' : `, byte ${where.offset}`
  return new AstropackError(code, `HDF5 ${where.file}${object}${offset}: ${text}`, {
    cause,
    offset: where.offset,
  })
}
