/**
 * ECMAScript's Number::toString digits for full-precision doubles (16 and 17 significant digits), decided
 * without String(): 140-200 ns a value in V8, the largest cost of packing and unpacking a catalog CSV.
 *
 * Work in units of the digit string's last digit: X = |x| × 10^q, exact as a sum of two doubles (Dekker's
 * product), for a digit string D (an integer) with the value D × 10^-q. ToString(x) has D's digits when
 *   1. D reads back as x: D lies inside x's rounding interval (X - h, X + h), h half the gap to x's
 *      neighbours (scaled by 10^q);
 *   2. no shorter digit string does: the multiples of 10 on either side of D are outside it;
 *   3. among strings as long as D, D is the closest to x: |D - X| < 1/2.
 * Each comparison is made with a margin far above the arithmetic's error (r below is exact to ~1e-13);
 * a value inside a margin, or a power of two (its lower gap is half the upper), is left to String().
 */

const SPLIT = 2 ** 27 + 1
const MARGIN = 1e-6

/** The high half of a double's 53 bits, for Dekker's product (the low half is the rest). */
function highHalf(a: number): number {
  const c = SPLIT * a
  return c - (c - a)
}

/** The rounding error of p = a × b (Dekker's product: p plus it is exactly a × b). */
export function productError(a: number, b: number, p: number): number {
  const bHigh = highHalf(b)
  return splitProductError(a, bHigh, b - bHigh, p)
}

/** productError for b given as its halves (bHigh = highHalf(b)), split ahead when b is used again. */
function splitProductError(a: number, bHigh: number, bLow: number, p: number): number {
  const aHigh = highHalf(a)
  const aLow = a - aHigh
  return aHigh * bHigh - p + aHigh * bLow + aLow * bHigh + aLow * bLow
}

const bits = new Float64Array(1)
const words = new Uint32Array(bits.buffer)
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0 // little-endian machines: word 1

/** Half the gap between a positive normal double and its neighbours, or 0 for powers of two and others. */
function halfGap(x: number): number {
  bits[0] = x
  const top = words[HIGH]!
  if ((top & 0xfffff) === 0 && words[1 - HIGH] === 0) return 0 // a power of two: lower gap is smaller
  return (halfGaps ?? makeHalfGaps())[(top >>> 20) & 0x7ff]!
}

/** No: ToString(x) is certainly not the digits; Yes: it certainly is; Unsure: too close to call, ask String(). */
export const Verdict = { No: 0, Yes: 1, Unsure: 2 } as const
export type Verdict = (typeof Verdict)[keyof typeof Verdict]

/**
 * Whether ToString(x) for x > 0 has the digits D = m × 10^k + tail (m < 10^15, k <= 2, tail < 10^k) with
 * the value D × 10^-q, 0 < q <= 22; D's last digit is `last` (1..9).
 */
export function shortestVerdict(
  x: number,
  m: number,
  k: number,
  tail: number,
  q: number,
  last: number,
): Verdict {
  const s = POW10[q]!
  const h = halfGap(x) * s
  if (h === 0) return Verdict.Unsure
  const high = m * POW10[k]!
  const low = productError(m, POW10[k]!, high) + tail // small integers: exact
  const X = x * s
  const Xe = productError(x, s, X)
  // r = D - X, exact to ~1e-13: high - X is exact (Sterbenz: they are within a factor of two).
  const r = high - X + (low - Xe)
  // Not inside x's interval (or x was not D's nearest double): Number() decides. Likewise a closer
  // string of D's length: rare in real files, and near powers of ten it may be shorter or longer.
  if (!(Math.abs(r) < h - MARGIN) || !(Math.abs(r) < 0.5 - MARGIN)) return Verdict.Unsure
  const below = r - last // the shorter neighbours, D - last and D + (10 - last)
  const above = r + 10 - last
  if (below > -h + MARGIN || above < h - MARGIN) return Verdict.No // x has a shorter string
  if (below > -h - MARGIN || above < h + MARGIN) return Verdict.Unsure
  return Verdict.Yes
}

/** Exact doubles 10^0 .. 10^22 (10^22 is the largest power of ten a double holds exactly). */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`))

/** 10^q's halves for Dekker's product (productError's split, made once per power, not per value). */
const POW10_HIGH = Float64Array.from(POW10, highHalf)
const POW10_LOW = Float64Array.from(POW10, (s, q) => s - POW10_HIGH[q]!)

/**
 * Half the gap between neighbours by exponent field, 2^(exponent - 1076): a table, as building it from
 * bits showed in profiles; made on first use, not at every start. 0 where the half gap would be subnormal
 * (x below 2^-969: not a case of ours), for subnormals, infinities and NaN.
 */
let halfGaps: Float64Array | undefined

function makeHalfGaps(): Float64Array {
  halfGaps = new Float64Array(0x800)
  halfGaps[54] = 2 ** -1022
  for (let e = 55; e < 0x7ff; e++) halfGaps[e] = halfGaps[e - 1]! * 2 // exact: powers of two
  return halfGaps
}

/** What `shortestDigits` found: the digits as high × 10^8 + low (17 of them), how many count, the fraction. */
export const SHORTEST = { high: 0, low: 0, count: 0, fraction: 0 }

/**
 * ToString's digits for 1e-6 <= x < 1e15 when the shortest string that reads back as x has 16 or 17
 * digits: sets SHORTEST and returns true, or false when unsure or when 15 digits or fewer would do.
 * With X = x × 10^q in [10^16, 10^17), the 16-digit candidates are the multiples of 10 inside x's
 * rounding interval (the closest wins), else the integer nearest X is the 17-digit string.
 */
export function shortestDigits(x: number): boolean {
  bits[0] = x
  const exponent = (words[HIGH]! >>> 20) & 0x7ff
  // 10^q with X = x × 10^q in [1e16, 1e17): from the binary exponent (log10(2) = 0.30103), which may be
  // one short; no Math.log10.
  let q = 16 - Math.floor((exponent - 1023) * 0.30102999566398114)
  if (q > 23 || q < 1) return false
  let X = x * POW10[Math.min(q, 22)]!
  if (X >= 1e17 || q > 22) X = x * POW10[--q]!
  else if (X < 1e16 && q < 22) X = x * POW10[++q]!
  if (!(X >= 1e16 && X < 1e17) || q < 2 || q > 22) return false
  const h = halfGap(x) * POW10[q]!
  if (h === 0) return false
  // x × 10^q = X + Xe exactly; X is an integer (its ulp is 2 to 16).
  const Xe = splitProductError(x, POW10_HIGH[q]!, POW10_LOW[q]!, X)
  const nearest = Math.round(Xe)
  const r = nearest - Xe // D17 - x × 10^q for D17 = X + nearest
  // D17 as high × 10^8 + low, low a small integer. high × 1e8 is exact (a multiple of 256 below 2^57,
  // high × 390625 < 2^53), and so is X less it: no division, no second Dekker product.
  let high = Math.floor(X * 1e-8)
  let low = X - high * 1e8 + nearest
  while (low < 0) {
    low += 1e8
    high--
  }
  while (low >= 1e8) {
    low -= 1e8
    high++
  }
  // As an int32 (low < 1e8): integer %, where % on a double value is a slow call in V8.
  const lowInt = low | 0
  const last = lowInt % 10
  const hundreds = lowInt % 100
  // Multiples of 10 around D17: offsets from it, and their distances to x × 10^q.
  let best = Number.NaN
  let bestDistance = Number.POSITIVE_INFINITY
  for (let offset = -last - 10; offset <= 20 - last; offset += 10) {
    const distance = Math.abs(r + offset)
    if (Math.abs(distance - h) < MARGIN) return false
    if (distance > h) continue
    if ((hundreds + offset) % 100 === 0) return false // a 15-digit string reads back too
    if (Math.abs(distance - bestDistance) < MARGIN) return false // a tie: ToString's rule for it is subtle
    if (distance < bestDistance) {
      best = offset
      bestDistance = distance
    }
  }
  // 17 digits: the nearest integer, unless X lies halfway between two.
  if (Number.isNaN(best) && Math.abs(Math.abs(r) - 0.5) < MARGIN) return false
  if (!Number.isNaN(best)) {
    low += best
    if (low < 0) {
      low += 1e8
      high--
    } else if (low >= 1e8) {
      low -= 1e8
      high++
    }
  }
  if (high < 1e8 || high >= 1e9) return false
  const count = Number.isNaN(best) ? 17 : 16
  SHORTEST.high = high
  SHORTEST.low = low
  SHORTEST.count = count
  SHORTEST.fraction = count === 17 ? q : q - 1
  return true
}
