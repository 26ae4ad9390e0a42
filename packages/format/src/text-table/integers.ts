/**
 * Fields of the integer kind (SPEC §7.2): a prefix, a 64-bit integer as canonical decimal text, a suffix,
 * as in `4295806720`, `"Gaia DR3 4295806720"` or `HIP 12345`. IDs past 2^53 (Gaia's source_id) do not
 * survive a double, and sorted IDs compress far better as integers under delta than as text.
 */

import { writeDigits, writeWide } from './numbers.js'

const MINUS = 45
const ZERO = 48
const TWO_16 = 2 ** 16
const TWO_32 = 2 ** 32
const MAX_DIGITS = 19

/** Prefix and suffix around the last run of digits (with its minus sign) in bytes [a, b); undefined when none. */
export function integerAffixes(
  group: Uint8Array,
  a: number,
  b: number,
): { prefix: Uint8Array; suffix: Uint8Array } | undefined {
  const isDigit = (at: number) => group[at]! >= ZERO && group[at]! <= ZERO + 9
  let end = b
  while (end > a && !isDigit(end - 1)) end--
  if (end === a) return undefined
  let start = end
  while (start > a && isDigit(start - 1)) start--
  if (start > a && group[start - 1] === MINUS) start--
  if (start - a > 255 || b - end > 255) return undefined
  return { prefix: group.slice(a, start), suffix: group.slice(end, b) }
}

function startsWith(group: Uint8Array, at: number, affix: Uint8Array): boolean {
  for (let i = 0; i < affix.byteLength; i++) if (group[at + i] !== affix[i]) return false
  return true
}

/**
 * Reads field [a, b) as prefix + integer + suffix into words[0] (low 32 bits, unsigned) and words[1] (high
 * 32 bits, signed). False unless the text is exactly what writeInteger gives back: no sign but a minus, no
 * leading zeros, no "-0", within the int64 range.
 */
export function integerValue(
  group: Uint8Array,
  a: number,
  b: number,
  prefix: Uint8Array,
  suffix: Uint8Array,
  words: Float64Array,
): boolean {
  let i = a + prefix.byteLength
  const end = b - suffix.byteLength
  if (end <= i || !startsWith(group, a, prefix) || !startsWith(group, end, suffix)) return false
  const negative = group[i] === MINUS
  if (negative) i++
  const digits = end - i
  if (digits < 1 || digits > MAX_DIGITS || (group[i] === ZERO && digits > 1)) return false
  // The digits as high × 10^9 + low, both exact (at most 10 and 9 digits): no BigInt, which cost ~125 ns
  // a 19-digit ID (Gaia's source_id) and most of a Gaia CSV's garbage.
  const split = Math.max(end - 9, i)
  let high = 0
  let low = 0
  for (let k = i; k < end; k++) {
    const digit = group[k]! - ZERO
    if (digit < 0 || digit > 9) return false
    if (k < split) high = high * 10 + digit
    else low = low * 10 + digit
  }
  if (negative && high === 0 && low === 0) return false // "-0"
  return int64Words(high, low, negative, words)
}

/**
 * The words of ±(high × 10^9 + low), high < 10^10, low < 10^9, or false past the int64 range. Exact in
 * doubles: the magnitude is upper × 2^16 + lower, both below 2^48, and each is cut at a word's edge.
 */
function int64Words(high: number, low: number, negative: boolean, words: Float64Array): boolean {
  // No `%`: on doubles past 2^31 V8 makes it a slow call.
  const highUpper = Math.floor(high / TWO_16)
  const upper = highUpper * 1e9
  const lower = (high - highUpper * TWO_16) * 1e9 + low
  const upperHigh = Math.floor(upper / TWO_16)
  const lowerHigh = Math.floor(lower / TWO_32)
  let low32 = (upper - upperHigh * TWO_16) * TWO_16 + (lower - lowerHigh * TWO_32)
  let high32 = upperHigh + lowerHigh
  if (low32 >= TWO_32) {
    low32 -= TWO_32
    high32++
  }
  if (!negative) {
    if (high32 >= 2 ** 31) return false
    words[0] = low32
    words[1] = high32
    return true
  }
  // Two's complement of the magnitude.
  if (low32 > 0) {
    low32 = TWO_32 - low32
    high32++
  }
  if (high32 > 2 ** 31) return false
  words[0] = low32
  words[1] = -high32
  return true
}

/** Writes the integer of words (low unsigned, high signed) as decimal text at `at`; returns its end. */
export function writeInteger(out: Uint8Array, at: number, low: number, high: number): number {
  let upper = high // the magnitude's words
  let lower = low
  if (high < 0) {
    out[at++] = MINUS
    upper = -high - (low > 0 ? 1 : 0)
    lower = low > 0 ? TWO_32 - low : 0
  }
  if (upper < 2 ** 21) return writeWide(out, at, upper * TWO_32 + lower, 1)
  // Past 2^53: divided by 10^9 a 16-bit piece at a time (each step below 2^46, so exact), the quotient
  // written, then the remainder as 9 digits.
  const q2 = Math.floor(upper / 1e9)
  const lowerHigh = Math.floor(lower / TWO_16)
  const part1 = (upper - q2 * 1e9) * TWO_16 + lowerHigh
  const q1 = Math.floor(part1 / 1e9)
  const part0 = (part1 - q1 * 1e9) * TWO_16 + (lower - lowerHigh * TWO_16)
  const q0 = Math.floor(part0 / 1e9)
  at = writeWide(out, at, (q2 * TWO_16 + q1) * TWO_16 + q0, 1)
  return writeDigits(out, at, part0 - q0 * 1e9, 9)
}
