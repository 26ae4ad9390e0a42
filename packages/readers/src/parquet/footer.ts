import { AstropackError, type ErrorCode } from '@astropack/codecs'
import type { ByteSource } from '../byte-source.js'

/** `PAR1`, at both ends of a Parquet file (Apache Parquet format, "File format"). */
export const PARQUET_MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31)
/** The file ends with the footer length (4 bytes, little-endian) and the magic. */
const TAIL_BYTES = 8

export function parquetError(code: ErrorCode, offset: number | undefined, text: string, cause?: unknown) {
  const where = offset === undefined ? '' : ` byte ${offset}:`
  return new AstropackError(code, `Parquet${where} ${text}`, { cause, offset })
}

/**
 * Checks both magics and the footer length before parquet-wasm parses anything, so a file that is not
 * Parquet, cut short or with a damaged tail gets a typed error that says which. Returns the footer length.
 */
export async function checkParquetTail(source: ByteSource): Promise<number> {
  const size = source.byteLength
  const head = await source.slice(0, Math.min(size, PARQUET_MAGIC.length))
  if (!isMagic(head)) throw parquetError('BAD_MAGIC', 0, 'the file does not start with PAR1: not Parquet')
  if (size < PARQUET_MAGIC.length + TAIL_BYTES) throw parquetError('TRUNCATED', size, `only ${size} bytes`)
  const tail = await source.slice(size - TAIL_BYTES, size)
  if (!isMagic(tail.subarray(4))) {
    throw parquetError(
      'TRUNCATED',
      size - 4,
      'the file does not end with PAR1: cut short or not closed by its writer',
    )
  }
  const footerLength = new DataView(tail.buffer, tail.byteOffset, TAIL_BYTES).getUint32(0, true)
  const room = size - PARQUET_MAGIC.length - TAIL_BYTES
  if (footerLength === 0 || footerLength > room) {
    throw parquetError(
      'CORRUPT_INDEX',
      size - TAIL_BYTES,
      `footer length ${footerLength} does not fit the ${room} bytes between the magics`,
    )
  }
  return footerLength
}

function isMagic(bytes: Uint8Array): boolean {
  return bytes.length >= PARQUET_MAGIC.length && PARQUET_MAGIC.every((byte, i) => bytes[i] === byte)
}
