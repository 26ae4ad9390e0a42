import { AstropackError, type ErrorCode } from '@astropack/codecs'

/** Where in the file a problem sits; every FITS error message names these so a user can look. */
export interface FitsPlace {
  hdu: number
  keyword?: string
  offset: number
}

/** Builds a typed error whose message reads `FITS HDU 2, keyword NAXIS1, byte 5760: ...`. */
export function fitsError(code: ErrorCode, place: FitsPlace, text: string): AstropackError {
  const keyword = place.keyword === undefined ? '' : `, keyword ${place.keyword}`
  return new AstropackError(code, `FITS HDU ${place.hdu}${keyword}, byte ${place.offset}: ${text}`)
}
