import { AstropackError } from './errors.js'

/** Wraps a decoder so any failure, or a size other than declared, becomes a typed CORRUPT_CHUNK error. */
export function decodeChecked(name: string, rawSize: number, decode: () => Uint8Array): Uint8Array {
  let out: Uint8Array
  try {
    out = decode()
  } catch (cause) {
    throw new AstropackError('CORRUPT_CHUNK', `${name}: cannot decode chunk (${(cause as Error).message})`, { cause })
  }
  if (out.byteLength !== rawSize) {
    throw new AstropackError('CORRUPT_CHUNK', `${name}: chunk decoded to ${out.byteLength} bytes, expected ${rawSize}`)
  }
  return out
}

/** node:zlib rejects maxOutputLength 0; an empty frame still decodes to nothing. */
export function outputLimit(rawSize: number): number {
  return Math.max(1, rawSize)
}
