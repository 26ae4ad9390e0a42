/**
 * Numbers of text-table columns read from and written to bytes (SPEC §7.2), with no strings except for
 * float64 values that need the shortest-digits algorithm of ECMAScript's Number::toString.
 *
 * Why integer arithmetic is exact here: for an int32 k and scale s <= 9, the double k / 10^s is within
 * 2^-22 / 10^s of the decimal k × 10^-s, so toFixed(s) rounds it back to k's own digits; and that
 * decimal has at most 10 significant digits, and two decimals of at most 15 never round to the same
 * double, so ToString's shortest digits are k's digits without trailing zeros. ToString only switches
 * to exponent notation below 1e-6, i.e. |k| < 10^(s - 6); those few values go through String().
 */

import { POW10, productError, SHORTEST, shortestDigits, shortestVerdict, Verdict } from './shortest.js'

export const MINUS = 45
/**
 * The longest text a numeric field's value can give: ToString of a double is at most 25 characters
 * ("-0.0000012345678901234567": 17 digits after "-0.00000"; "-2.2250738585072014e-308" is 24), an int32
 * with scale <= 9 at most 12. Python's and Java's texts are shorter (exponents from 1e-4 and 1e-3 down).
 */
export const MAX_NUMBER_TEXT = 25
const DOT = 46
const ZERO = 48

/** How many decimal digits an integer 0 <= u < 2^32 has. */
function digitCount(u: number): number {
  if (u < 1e5) return u < 100 ? (u < 10 ? 1 : 2) : u < 1e3 ? 3 : u < 1e4 ? 4 : 5
  return u < 1e7 ? (u < 1e6 ? 6 : 7) : u < 1e8 ? 8 : u < 1e9 ? 9 : 10
}

/** "00" to "99" as byte pairs: two digits per division. */
const DIGIT_PAIRS = Uint8Array.from(
  { length: 200 },
  (_, i) => ZERO + (i & 1 ? (i >> 1) % 10 : Math.floor(i / 20)),
)

/**
 * Writes an integer 0 <= u < 10^digits, u < 2^32, as exactly `digits` digits (zero-padded); returns
 * the end. Unsigned 32-bit steps: V8 compiles them to integer division, where `%` on a double is slow.
 */
export function writeDigits(out: Uint8Array, at: number, u: number, digits: number): number {
  const end = at + digits
  let i = end - 1
  for (; i > at; i -= 2) {
    const q = (u / 100) >>> 0
    const pair = (u - q * 100) * 2
    out[i] = DIGIT_PAIRS[pair + 1]!
    out[i - 1] = DIGIT_PAIRS[pair]!
    u = q
  }
  if (i === at) out[i] = ZERO + u - ((u / 10) >>> 0) * 10
  return end
}

/**
 * "0000" to "9999" as 4 bytes each, read as one little-endian word: a digit group is one store. Made on
 * first use, not at every start (10,000 steps of the interpreter: 2 ms).
 */
let digitQuads: Uint32Array | undefined

function makeDigitQuads(): Uint32Array {
  digitQuads = new Uint32Array(10000)
  for (let x = 0; x < 10000; x++) {
    const high = ((x / 100) | 0) * 2
    const low = (x % 100) * 2
    digitQuads[x] =
      DIGIT_PAIRS[high]! |
      (DIGIT_PAIRS[high + 1]! << 8) |
      (DIGIT_PAIRS[low]! << 16) |
      (DIGIT_PAIRS[low + 1]! << 24)
  }
  return digitQuads
}

let viewed: Uint8Array = new Uint8Array(0)
let view = new DataView(viewed.buffer)

/** A DataView of `out`, kept for the next call: callers write into one buffer for many values. */
function viewOf(out: Uint8Array): DataView {
  if (out !== viewed) {
    viewed = out
    view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  }
  return view
}

/**
 * Writes the 17 digits high × 10^8 + low (high < 10^9, low < 10^8) at `at`, four at a time: a table word
 * stored whole runs three times faster than the digits stored byte by byte (7 against 22 ns).
 */
function write17(out: Uint8Array, at: number, high: number, low: number): void {
  const bytes = viewOf(out)
  const quads = digitQuads ?? makeDigitQuads()
  const h0 = (high / 1e8) >>> 0
  const rest = high - h0 * 1e8
  const r1 = (rest / 1e4) >>> 0
  const l1 = (low / 1e4) >>> 0
  out[at] = ZERO + h0
  bytes.setUint32(at + 1, quads[r1]!, true)
  bytes.setUint32(at + 5, quads[rest - r1 * 1e4]!, true)
  bytes.setUint32(at + 9, quads[l1]!, true)
  bytes.setUint32(at + 13, quads[low - l1 * 1e4]!, true)
}

/** Writes a string's UTF-16 code units as bytes (only used for ASCII number texts). */
export function writeLatin1(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i)
  return at + text.length
}

/** `(k / 10^scale).toFixed(scale)` for an int32 k and scale 0..9, written at `at`; returns the end. */
export function writeFixed(out: Uint8Array, at: number, k: number, scale: number): number {
  if (k < 0) out[at++] = MINUS
  const u = Math.abs(k) >>> 0
  if (scale === 0) return writeDigits(out, at, u, digitCount(u))
  const p = POW10[scale]!
  const whole = (u / p) >>> 0 // exact: u < 2^32, so u / p stays > 1e-10 away from the next integer
  at = writeDigits(out, at, whole, digitCount(whole))
  out[at++] = DOT
  return writeDigits(out, at, u - whole * p, scale)
}

/** Whether ToString(k / 10^scale) uses exponent notation (0 < |value| < 1e-6) for u = |k| > 0. */
function tiny(u: number, scale: number): boolean {
  return scale > 6 && u < POW10[scale - 6]!
}

/** `ToString(k / 10^scale)` for an int32 k and scale 0..9, written at `at`; returns the end. */
export function writeDecimal(out: Uint8Array, at: number, k: number, scale: number): number {
  const u = Math.abs(k) >>> 0
  if (u === 0) {
    out[at] = ZERO
    return at + 1
  }
  if (tiny(u, scale)) return writeLatin1(out, at, String(k / POW10[scale]!))
  if (k < 0) out[at++] = MINUS
  const p = POW10[scale]!
  const whole = (u / p) >>> 0
  let fraction = (u - whole * p) >>> 0
  at = writeDigits(out, at, whole, digitCount(whole))
  if (fraction === 0) return at
  let digits = scale
  for (; fraction % 10 === 0; digits--) fraction = (fraction / 10) >>> 0
  out[at++] = DOT
  return writeDigits(out, at, fraction, digits)
}

/** Writes an integer 0 <= u < 2^53 as at least `digits` digits (zero-padded); returns the end. */
export function writeWide(out: Uint8Array, at: number, u: number, digits: number): number {
  if (u < 2 ** 32) return writeDigits(out, at, u, Math.max(digits, digitCount(u)))
  const high = Math.floor(u / 1e9) // < 2^24; exact as u < 2^53
  at = writeWide(out, at, high, digits - 9)
  return writeDigits(out, at, u - high * 1e9, 9)
}

/**
 * ToString(value) for a float64 field when it has at most 15 significant digits (most values that are
 * not full-precision doubles), written at `at` without String(); returns the end, or -1 for other values.
 * If m / 10^s is the value for an integer m < 10^15, that decimal is the only one of <= 15 digits that
 * reads as the value, so it is ToString's shortest, and in 1e-6 <= |value| < 1e15 printed plainly.
 */
export function writeShortFloat64(out: Uint8Array, at: number, value: number): number {
  const u = Math.abs(value)
  if (u === 0) {
    out[at] = ZERO // ToString(-0) is "0" too
    return at + 1
  }
  if (!(u >= 1e-6 && u < 1e15)) return -1
  // 15 significant digits: u = m / 10^s. log10 rounds up to the next integer just below a power of ten
  // (log10(999999999999998) is 15), which gives one digit too few: then one more is tried.
  let s = 14 - Math.floor(Math.log10(u))
  let p = POW10[Math.max(s, 0)]!
  let m = Math.round(u * p)
  if (s < 0 || m >= 1e15 || m / p !== u) {
    s++
    p = POW10[s]!
    m = Math.round(u * p)
    if (s < 0 || s > 22 || m >= 1e15 || m / p !== u) return -1
  }
  if (value < 0) out[at++] = MINUS
  const whole = Math.floor(m / p) // exact as m < 2^53
  at = writeWide(out, at, whole, 1)
  const fraction = m - whole * p
  if (fraction === 0) return at
  out[at++] = DOT
  at = writeWide(out, at, fraction, s)
  while (out[at - 1] === ZERO) at-- // ToString has no trailing zeros (fraction > 0 keeps a digit)
  return at
}

/**
 * ToString(value) for full-precision doubles (16 or 17 significant digits) in 1e-6 <= |value| < 1e15,
 * written at `at` without String(); returns the end, or -1 (then String() decides: shorter values,
 * other ranges, and the ~1% too close to call). Writes up to 19 bytes from `at`, past the end it returns
 * for 16 digits (callers leave room for the longest text of a double, MAX_NUMBER_TEXT).
 */
export function writeLongFloat64(out: Uint8Array, at: number, value: number): number {
  const u = Math.abs(value)
  if (!(u >= 1e-6 && u < 1e15) || !shortestDigits(u)) return -1
  const count = SHORTEST.count
  const whole = count - SHORTEST.fraction // digits before the point; 0 or fewer: "0." and zeros first
  if (value < 0) out[at++] = MINUS
  if (whole <= 0) {
    out[at++] = ZERO
    out[at++] = DOT
    for (let i = whole; i < 0; i++) out[at++] = ZERO
    write17(out, at, SHORTEST.high, SHORTEST.low)
    return at + count
  }
  // The 17 digits one place on, then the whole part back one place and the point after it: no copy of
  // the digits through a scratch buffer (a fifth of the time of this function).
  write17(out, at + 1, SHORTEST.high, SHORTEST.low)
  for (let i = 0; i < whole; i++) out[at + i] = out[at + 1 + i]!
  out[at + whole] = DOT
  return at + 1 + count
}

/** Which way a column's doubles are written first: `tryShort` runs down on misses and back up on hits. */
export interface ShortFirst {
  tryShort: number
}

/**
 * ToString(value) at `at`, without String() for 1e-6 <= |value| < 1e15; returns the end. Writes up to
 * MAX_NUMBER_TEXT bytes from `at`. A column of full-precision doubles soon stops trying the short way
 * first (`hint`, kept per column: start it at 32).
 */
export function writeFloat64Text(out: Uint8Array, at: number, value: number, hint: ShortFirst): number {
  const triedShort = hint.tryShort > 0
  let end = triedShort ? writeShortFloat64(out, at, value) : -1
  if (end === -1) {
    hint.tryShort--
    end = writeLongFloat64(out, at, value)
    // The 1 in 20 of a full-precision column with 15 digits or fewer (Tycho-2): still without String().
    if (end === -1 && !triedShort) end = writeShortFloat64(out, at, value)
    if (end === -1) end = writeLatin1(out, at, String(value))
  } else if (hint.tryShort < 64) hint.tryShort++
  return end
}

/**
 * Loosely reads `-digits[.digits][e±digits]` as k = value × 10^scale when that is a whole int32, else
 * NaN. Loose on purpose: callers keep k only if formatting it gives back the very same bytes.
 */
export function parseScaled(bytes: Uint8Array, a: number, b: number, scale: number): number {
  let i = a
  const negative = bytes[i] === MINUS
  if (negative) i++
  let m = 0
  let digits = 0
  let fraction = -1 // digits after the point, -1 without one
  for (; i < b; i++) {
    const c = bytes[i]! - ZERO
    if (c >= 0 && c <= 9) {
      m = m * 10 + c
      if (m > 2 ** 31) return Number.NaN
      digits++
      if (fraction >= 0) fraction++
    } else if (c === DOT - ZERO && fraction < 0) fraction = 0
    else break
  }
  let exponent = 0
  if (i < b && (bytes[i]! | 0x20) === 0x65) {
    const sign = bytes[++i] === MINUS ? -1 : 1
    if (bytes[i] === MINUS || bytes[i] === 0x2b) i++
    const from = i
    for (; i < b && i - from < 3 && bytes[i]! >= ZERO && bytes[i]! <= ZERO + 9; i++)
      exponent = exponent * 10 + bytes[i]! - ZERO
    if (i === from) return Number.NaN
    exponent *= sign
  }
  const shift = scale - Math.max(fraction, 0) + exponent
  if (i !== b || digits === 0 || shift < 0 || shift > 22) return Number.NaN
  const k = m * POW10[shift]!
  if (k > 2 ** 31 || (k === 2 ** 31 && !negative)) return Number.NaN
  return negative ? -k : k
}

const formatted = new Uint8Array(32)

/** The k a fixed or decimal field stores (kind 4 or 3), or NaN when k would not format to its bytes. */
export function scaledValue(bytes: Uint8Array, a: number, b: number, fixed: boolean, scale: number): number {
  const k = parseScaled(bytes, a, b, scale)
  if (Number.isNaN(k)) return k
  const end = fixed ? writeFixed(formatted, 0, k, scale) : writeDecimal(formatted, 0, k, scale)
  if (end !== b - a) return Number.NaN
  for (let i = 0; i < end; i++) if (formatted[i] !== bytes[a + i]) return Number.NaN
  return k
}

function sameText(bytes: Uint8Array, a: number, b: number, text: string): boolean {
  if (text.length !== b - a) return false
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[a + i]) return false
  return true
}

/**
 * (m × 10^shift + tail) / divisor, for 16 or more digits (the integer is past 2^53): computed in
 * double-double arithmetic so it is almost always the correctly rounded value.
 */
function divideDigits(m: number, shift: number, tail: number, divisor: number): number {
  const product = m * POW10[shift]!
  const low = productError(m, POW10[shift]!, product) + tail
  const sum = product + low // with `rest`, exactly the integer
  const rest = product - sum + low
  const q = sum / divisor
  const qd = q * divisor
  const remainder = sum - qd - productError(q, divisor, qd) + rest
  return q + remainder / divisor
}

/**
 * The double a float64 field stores: the value whose ToString is exactly the field's bytes, or NaN.
 * Fields not shaped like ToString output (`-0`, `1.50`, `.5`, `+5`, `1e21`, names) are rejected on
 * sight; plain decimals of at most 15 significant digits are exact by arithmetic; the rest are
 * checked with String() on a near candidate, then on Number() of the field's text.
 */
export function float64Value(bytes: Uint8Array, a: number, b: number): number {
  if (b - a === 0 || b - a > 32) return Number.NaN
  let i = a
  const negative = bytes[i] === MINUS
  if (negative) i++
  const first = bytes[i]
  let m = 0 // the digits from the first non-zero one, as an integer (exact up to 15 of them)
  let n = 0 // how many digits m has
  let tail = 0 // digits past the 15th, kept apart so the candidate stays close
  const wholeStart = i
  // Whole digits, then fraction digits: leading zeros skipped, the first 15 significant ones into m. Two
  // loops on purpose: one loop that also meets the point ran 3-4% slower on Tycho-2's CSV.
  for (; i < b; i++) {
    const d = bytes[i]! - ZERO
    if (d >>> 0 >= 10) break
    if (n < 15) {
      m = m * 10 + d
      if (m > 0) n++
    } else {
      tail = tail * 10 + d
      n++
    }
  }
  const wholeDigits = i - wholeStart
  if (wholeDigits === 0 || (first === ZERO && wholeDigits > 1)) return Number.NaN
  let fraction = 0
  if (bytes[i] === DOT && i < b) {
    const fractionStart = ++i
    for (; i < b; i++) {
      const d = bytes[i]! - ZERO
      if (d >>> 0 >= 10) break
      if (n < 15) {
        m = m * 10 + d
        if (m > 0) n++
      } else {
        tail = tail * 10 + d
        n++
      }
    }
    fraction = i - fractionStart
    if (fraction === 0 || bytes[i - 1] === ZERO) return Number.NaN
  }
  let exponent = 0
  if (i < b) {
    // ToString's exponent form: one non-zero digit before the point, a signed exponent without leading zeros.
    if (bytes[i] !== 0x65 || wholeDigits !== 1 || first === ZERO) return Number.NaN
    const sign = bytes[++i]
    if (sign !== MINUS && sign !== 0x2b) return Number.NaN
    if (++i >= b || bytes[i] === ZERO) return Number.NaN
    for (; i < b && bytes[i]! >= ZERO && bytes[i]! <= ZERO + 9; i++)
      exponent = exponent * 10 + bytes[i]! - ZERO
    if (i !== b) return Number.NaN
    if (sign === MINUS) exponent = -exponent
  }
  if (m === 0) return negative ? Number.NaN : 0 // "0" (a zero with a point or exponent was rejected above)
  if (exponent === 0 && n <= 15 && (first !== ZERO || fraction - n <= 5)) {
    // At most 15 digits, 1e-6 <= |value| < 1e15: m / 10^fraction is the correctly rounded value, and its
    // shortest digits are the field's own, so ToString gives the field back.
    const value = m / POW10[fraction]!
    return negative ? -value : value
  }
  const power = exponent - fraction // the field is all its digits, as an integer, times 10^power
  if (power >= -22 && power <= 22) {
    // n <= 32 (the field has at most 32 bytes), so 10^(n - 15) is exact too.
    let near: number
    if (n <= 15) near = power < 0 ? m / POW10[-power]! : m * POW10[power]!
    else if (power < 0) near = divideDigits(m, n - 15, tail, POW10[-power]!)
    else near = (m * POW10[n - 15]! + tail) * POW10[power]!
    const candidate = negative ? -near : near
    if (n >= 16 && n <= 17 && power < 0 && exponent === 0 && (first !== ZERO || fraction - n <= 5)) {
      // Plainly printed 16 or 17 digits (ToString's layout, as checked above): decided by arithmetic.
      const verdict = shortestVerdict(near, m, n - 15, tail, -power, bytes[b - 1]! - ZERO)
      if (verdict === Verdict.Yes) return candidate
      if (verdict === Verdict.No) return Number.NaN
    }
    // Almost always the value itself; a match of ToString decides, never the arithmetic.
    if (sameText(bytes, a, b, String(candidate))) return candidate
  }
  const text = String.fromCharCode(...bytes.subarray(a, b))
  const value = Number(text)
  return String(value) === text ? value : Number.NaN
}
