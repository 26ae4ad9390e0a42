/**
 * The grid kind (SPEC §7.2, kind 7): decimals that are multiples of 1 / divisor, rounded to `scale`
 * places. Catalogs convert sexagesimal positions to degrees this way: 101.2871666667 is 6h45m08.92s, or
 * 2430892 hundredths of a second of time, 2430892 / 24000 degrees. Stored as that count, ra takes 23 bits
 * where its decimal digits take 40 and its double 64, and the text still comes back byte for byte.
 */

import { GRID_DIVISORS } from '@astropack/codecs'
import type { ColumnFields } from './chunk.js'
import { writeWide } from './numbers.js'
import { POW10 } from './shortest.js'

/** How a grid field is written (byte 3): digits without trailing zeros, the same with `.0`, or `scale` decimals. */
export const GridStyle = { plain: 0, pointZero: 1, fixed: 2 } as const

/** With |k| <= 2^31, these bounds keep |k| × num and q × den below 2^53: exact in doubles. */
const MAX_NUMERATOR = 2 ** 22 - 1
const MAX_DENOMINATOR = 2 ** 31 - 1
const MINUS = 45
const DOT = 46
const ZERO = 48

/** 10^scale / divisor in lowest terms, or undefined when the numerator is too large to be exact. */
export function gridTerms(scale: number, divisor: number): { num: number; den: number } | undefined {
  const p = POW10[scale]!
  let a = p
  let b = divisor
  while (b > 0) [a, b] = [b, a % b]
  const num = p / a
  const den = divisor / a
  return divisor >= 1 && num <= MAX_NUMERATOR && den <= MAX_DENOMINATOR ? { num, den } : undefined
}

/** floor(u / d) exactly, for integers 0 <= u < 2^53 and d > 0: the double quotient can be one off. */
function floorDivide(u: number, d: number): number {
  const q = Math.floor(u / d)
  const r = u - q * d
  return r < 0 ? q - 1 : r >= d ? q + 1 : q
}

/** |k| × num / den rounded half up, exactly (see MAX_NUMERATOR): the field's digits as an integer. */
export function gridDigits(k: number, num: number, den: number): number {
  const u = Math.abs(k) * num
  const q = floorDivide(u, den)
  return 2 * (u - q * den) >= den ? q + 1 : q
}

/** Writes value k's field (q = gridDigits(k, ...)) at `at`; returns the end. */
export function writeGrid(
  out: Uint8Array,
  at: number,
  k: number,
  q: number,
  scale: number,
  style: number,
): number {
  if (k < 0 && q > 0) out[at++] = MINUS
  const p = POW10[scale]!
  const whole = floorDivide(q, p)
  let fraction = q - whole * p
  at = writeWide(out, at, whole, 1)
  if (style === GridStyle.fixed) {
    out[at++] = DOT
    return writeWide(out, at, fraction, scale)
  }
  if (fraction === 0) {
    if (style === GridStyle.plain) return at
    out[at] = DOT
    out[at + 1] = ZERO
    return at + 2
  }
  let digits = scale
  while (fraction % 10 === 0) {
    fraction /= 10
    digits--
  }
  out[at++] = DOT
  return writeWide(out, at, fraction, digits)
}

/** Room for one field: a sign, 16 digits, a point and a zero. */
const scratch = new Uint8Array(24)

/**
 * The value k whose field is exactly bytes [a, b), or NaN. The field's digits give k to within rounding;
 * writing k back and comparing decides, so any text this function accepts is the text a reader rebuilds.
 */
export function gridValue(
  bytes: Uint8Array,
  a: number,
  b: number,
  scale: number,
  terms: { num: number; den: number },
  style: number,
): number {
  if (b - a === 0 || b - a > 20) return Number.NaN
  const negative = bytes[a] === MINUS
  let digits = 0
  let decimals = -1
  for (let i = negative ? a + 1 : a; i < b; i++) {
    const byte = bytes[i]!
    if (byte === DOT && decimals === -1) decimals = 0
    else if (byte >= ZERO && byte <= ZERO + 9) {
      digits = digits * 10 + byte - ZERO
      if (decimals !== -1) decimals++
    } else return Number.NaN
  }
  if (decimals > scale || digits >= 2 ** 53) return Number.NaN
  const q = digits * POW10[scale - Math.max(decimals, 0)]!
  const magnitude = Math.round((q * terms.den) / terms.num)
  if (magnitude > (negative ? 2 ** 31 : 2 ** 31 - 1)) return Number.NaN
  const k = negative ? -magnitude : magnitude
  const end = writeGrid(scratch, 0, k, gridDigits(k, terms.num, terms.den), scale, style)
  if (end !== b - a) return Number.NaN
  for (let i = 0; i < end; i++) if (scratch[i] !== bytes[a + i]) return Number.NaN
  return k
}

/** Fields a grid is screened on, from the column's sample. */
const GRID_SCREEN = 48

/**
 * The coarsest grid that fits 90% of the first filled fields of a column's sample (every `stride`-th field,
 * its text at [start(k, b), end(a, b)) without padding or quotes), for columns of 4 to 15 decimals and
 * grids coarser than them; else undefined.
 */
export function chooseGrid(
  fields: ColumnFields,
  stride: number,
  decimals: number,
  style: number,
  start: (k: number, b: number) => number,
  end: (a: number, b: number) => number,
): { divisor: number; terms: { num: number; den: number } } | undefined {
  if (decimals < 4 || decimals > 15) return undefined
  const { group, starts, c, trim } = fields
  const screen: number[] = []
  for (let k = c; k < starts.length - 1 && screen.length < 2 * GRID_SCREEN; k += stride) {
    const a = start(k, starts[k + 1]! - 1 - trim)
    const b = end(a, starts[k + 1]! - 1 - trim)
    if (b > a) screen.push(a, b)
  }
  if (screen.length === 0) return undefined
  for (const divisor of GRID_DIVISORS) {
    const terms = divisor < POW10[decimals]! ? gridTerms(decimals, divisor) : undefined
    if (!terms) continue
    let hits = 0
    for (let i = 0; i < screen.length; i += 2)
      if (!Number.isNaN(gridValue(group, screen[i]!, screen[i + 1]!, decimals, terms, style))) hits++
    if (hits >= (screen.length / 2) * 0.9) return { divisor, terms }
  }
  return undefined
}
