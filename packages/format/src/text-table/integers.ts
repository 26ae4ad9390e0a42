/**
 * Fields of the integer kind (SPEC §7.2): a prefix, a 64-bit integer as canonical decimal text, a suffix,
 * as in `4295806720`, `"Gaia DR3 4295806720"` or `HIP 12345`. IDs past 2^53 (Gaia's source_id) do not
 * survive a double, and sorted IDs compress far better as integers under delta than as text.
 */

const MINUS = 45
const ZERO = 48
const TWO_32 = 2 ** 32
/** Up to this many digits a value is exact in a double; longer ones go through BigInt. */
const SAFE_DIGITS = 15
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
  let value = 0
  for (let k = i; k < end; k++) {
    const digit = group[k]! - ZERO
    if (digit < 0 || digit > 9) return false
    if (digits <= SAFE_DIGITS) value = value * 10 + digit
  }
  if (negative && value === 0 && digits === 1) return false // "-0"
  if (digits <= SAFE_DIGITS) {
    const signed = negative ? -value : value
    const high = Math.floor(signed / TWO_32)
    words[0] = signed - high * TWO_32
    words[1] = high
    return true
  }
  let big = 0n
  for (let k = i; k < end; k++) big = big * 10n + BigInt(group[k]! - ZERO)
  if (negative) big = -big
  if (BigInt.asIntN(64, big) !== big) return false
  words[0] = Number(big & 0xffffffffn)
  words[1] = Number(big >> 32n)
  return true
}

/** Writes the integer of words (low unsigned, high signed) as decimal text at `at`; returns its end. */
export function writeInteger(out: Uint8Array, at: number, low: number, high: number): number {
  // Within +-2^53 the value is exact as a double, and String() writes integers below 1e21 in full.
  const text =
    high >= -(2 ** 21) && high < 2 ** 21
      ? String(high * TWO_32 + low)
      : ((BigInt(high) << 32n) | BigInt(low)).toString()
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i)
  return at + text.length
}
