import { AstropackError, type ErrorCode } from '@astropack/codecs'

/** Which record a problem is in: the header, or a data row counted from 1. */
export type CsvRow = number | 'header'

/** Builds a typed error whose message reads `CSV row 17, byte 5120: ...`; the offset is also on the error. */
export function csvError(
  code: ErrorCode,
  row: CsvRow | undefined,
  offset: number,
  text: string,
): AstropackError {
  const where = row === undefined ? '' : row === 'header' ? ' header,' : ` row ${row},`
  return new AstropackError(code, `CSV${where} byte ${offset}: ${text}`, { offset })
}

/** Shows a field's text in a message: printable ASCII as is, other bytes as \xNN, cut at 40 bytes. */
export function showBytes(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes.subarray(0, 40)) {
    out +=
      byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`
  }
  return bytes.length > 40 ? `'${out}...' (${bytes.length} bytes)` : `'${out}'`
}
