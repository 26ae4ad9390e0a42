import { AstropackError } from '@astropack/codecs'

/** Strings as Arrow stores them: UTF-8 bytes and `count + 1` offsets into them. */
export interface Utf8Strings {
  offsets: Int32Array
  bytes: Uint8Array
  /** True when every byte is ASCII, so byte offsets are also character offsets. */
  ascii: boolean
}

/** Text one batch of one column may gather (Arrow's 32-bit offsets would allow 2 GiB). */
const MAX_TEXT_BYTES = 1 << 30

/**
 * Gathers fixed-width character fields: `perRow` fields of `width` bytes per row. Each is cut at its first
 * NUL and stripped of trailing spaces (FITS 4.0 §7.3.3.1).
 */
export function gatherStrings(
  src: Uint8Array,
  first: number,
  stride: number,
  rows: number,
  width: number,
  perRow: number,
): Utf8Strings {
  const count = rows * perRow
  const starts = new Float64Array(count)
  const widths = new Int32Array(count).fill(width)
  let k = 0
  for (let r = 0, rowStart = first; r < rows; r++, rowStart += stride) {
    for (let f = 0; f < perRow; f++) starts[k++] = rowStart + f * width
  }
  return stringsAt(src, starts, widths)
}

/**
 * Gathers the strings src[starts[k], starts[k] + widths[k]), each cut at its first NUL and stripped of
 * trailing spaces. Bytes above 0x7F, not allowed in FITS, are read as Latin-1 so the output is valid UTF-8.
 */
export function stringsAt(src: Uint8Array, starts: Float64Array, widths: Int32Array): Utf8Strings {
  const count = starts.length
  const lengths = new Int32Array(count)
  let total = 0
  let high = 0
  for (let k = 0; k < count; k++) {
    const p = starts[k]!
    const limit = p + widths[k]!
    let end = p
    while (end < limit && src[end] !== 0) end++
    while (end > p && src[end - 1] === 32) end--
    for (let q = p; q < end; q++) if (src[q]! > 0x7f) high++
    lengths[k] = end - p
    total += end - p
  }
  if (total + high > MAX_TEXT_BYTES) {
    throw new AstropackError(
      'LIMIT_EXCEEDED',
      'FITS string column: over 1 GiB of text in one batch; read fewer rows',
    )
  }
  const offsets = new Int32Array(count + 1)
  const bytes = new Uint8Array(total + high)
  let o = 0
  for (let k = 0; k < count; k++) {
    const start = starts[k]!
    const end = start + lengths[k]!
    if (high === 0) {
      // A plain loop beats subarray + set for the short strings tables hold.
      for (let q = start; q < end; q++) bytes[o++] = src[q]!
    } else {
      for (let q = start; q < end; q++) {
        const byte = src[q]!
        if (byte < 0x80) {
          bytes[o++] = byte
        } else {
          bytes[o++] = 0xc0 | (byte >> 6)
          bytes[o++] = 0x80 | (byte & 0x3f)
        }
      }
    }
    offsets[k + 1] = o
  }
  return { offsets, bytes, ascii: high === 0 }
}

const utf8 = new TextDecoder()

/** Turns gathered UTF-8 strings into JS strings (one decode of the whole buffer when it is ASCII). */
export function utf8ToStrings(strings: Utf8Strings): string[] {
  const { offsets, bytes } = strings
  const out = new Array<string>(offsets.length - 1)
  if (strings.ascii) {
    const text = utf8.decode(bytes)
    for (let k = 0; k < out.length; k++) out[k] = text.slice(offsets[k]!, offsets[k + 1]!)
  } else {
    for (let k = 0; k < out.length; k++) out[k] = utf8.decode(bytes.subarray(offsets[k]!, offsets[k + 1]!))
  }
  return out
}
