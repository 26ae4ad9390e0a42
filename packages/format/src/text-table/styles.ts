/**
 * How the values of a float64 or decimal column are written (SPEC §7.2, byte 3 of a column chunk). Files
 * written by Python (pandas, astropy, numpy) print `2.0` and `1e-05` where ECMAScript prints `2` and
 * `0.00001`: as ECMAScript text those fields were all exceptions.
 */
import { float64Value, parseScaled, scaledValue } from './numbers.js'
import { POW10 } from './shortest.js'

export const NumberStyle = { ecmascript: 0, python: 1, leadingDot: 2, java: 3 } as const

/**
 * ECMAScript's text without the zero before the point (`.0786`, `-.5`), as JPL's small-body database writes
 * its numbers: the double (float64) or k (decimal, `scale` given) of such a field, read with the zero put
 * back; NaN for a field that has that zero.
 */
export function leadingDotValue(bytes: Uint8Array, a: number, b: number, scale?: number): number {
  const negative = bytes[a] === MINUS
  const at = negative ? a + 1 : a
  if (bytes[at] === ZERO && bytes[at + 1] === DOT) return Number.NaN
  let source = bytes
  if (bytes[at] === DOT && b - a <= 32) {
    if (negative) withZero[0] = MINUS
    withZero[at - a] = ZERO
    withZero.set(bytes.subarray(at, b), at - a + 1)
    source = withZero
    b = b - a + 1
    a = 0
  }
  return scale === undefined ? float64Value(source, a, b) : scaledValue(source, a, b, false, scale)
}

const withZero = new Uint8Array(34)

/** Drops the zero before the point of a field written at [start, end) (`0.5` -> `.5`); returns its end. */
export function dropLeadingZero(out: Uint8Array, start: number, end: number): number {
  const at = out[start] === MINUS ? start + 1 : start
  if (at + 1 >= end || out[at] !== ZERO || out[at + 1] !== DOT) return end
  out.copyWithin(at, at + 1, end)
  return end - 1
}

/** x's shortest digits (no leading or trailing zeros) and the place of the point: x = 0.digits × 10^point. */
function shortest(x: number): { digits: string; point: number } {
  const text = String(x)
  const e = text.indexOf('e')
  const mantissa = e === -1 ? text : text.slice(0, e)
  const dot = mantissa.indexOf('.')
  const whole = dot === -1 ? mantissa : mantissa.slice(0, dot)
  let digits = dot === -1 ? whole : whole + mantissa.slice(dot + 1)
  let point = whole.length + (e === -1 ? 0 : Number(text.slice(e + 1)))
  let lead = 0
  while (digits[lead] === '0') lead++
  digits = digits.slice(lead)
  point -= lead
  let end = digits.length
  while (digits[end - 1] === '0') end--
  return { digits: digits.slice(0, end), point }
}

/**
 * Python's repr(x) (also numpy's str): the shortest digits that read back as x, as ECMAScript's; plain
 * for 1e-4 <= |x| < 1e16, with `.0` when there is no fraction; else `d.ddde-05`, `1e+16`. Undefined for
 * infinities and NaN, which no column stores as values.
 */
export function pythonRepr(x: number): string | undefined {
  if (!Number.isFinite(x)) return undefined
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const sign = x < 0 ? '-' : ''
  const { digits, point } = shortest(Math.abs(x))
  const exponent = point - 1
  if (exponent >= -4 && exponent < 16) {
    if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
    if (digits.length <= point) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
  return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
}

/**
 * Java's Double.toString(x) (JDK 19 on; TOPCAT and STILTS write tables with it): the same shortest digits,
 * plain for 10^-3 <= |x| < 10^7 with `.0` when there is no fraction, otherwise one digit, a point, the other
 * digits (at least `0`), `E` and the exponent (`1.0E-5`, `1.2345678E7`). Undefined for infinities and NaN.
 */
export function javaString(x: number): string | undefined {
  if (!Number.isFinite(x)) return undefined
  const u = Math.abs(x)
  if (x === 0 || (u >= 1e-3 && u < 1e7)) return pythonRepr(x) // the same text there
  const { digits, point } = shortest(u)
  return `${x < 0 ? '-' : ''}${digits[0]}.${digits.slice(1) || '0'}E${point - 1}`
}

/** Python's and Java's texts: plain with `.0` on integers within [low, high), else an exponent form. */
export interface ReprStyle {
  low: number
  high: number
  repr(x: number): string | undefined
}
export const PYTHON: ReprStyle = { low: 1e-4, high: 1e16, repr: pythonRepr }
export const JAVA: ReprStyle = { low: 1e-3, high: 1e7, repr: javaString }

const DOT = 46
const ZERO = 48
const MINUS = 45
const latin1 = new TextDecoder('latin1')

/**
 * Where the style's text is ECMAScript's ToString with `.0` on integers: low <= |x| < high (ToString writes
 * plain digits from 1e-6 to 1e21), and zero. Values there are read and written without strings.
 */
export function plainIn(style: ReprStyle, x: number): boolean {
  const u = Math.abs(x)
  return (u >= style.low && u < style.high) || (x === 0 && !Object.is(x, -0))
}

/**
 * The value a field in Python's or Java's style stores: the double (float64) or k (decimal, `scale` given)
 * whose text is exactly the field, else NaN. Plain fields are read by the ECMAScript readers on the bytes
 * without a final `.0`; exponents and `-0.0` take the slow way, through strings.
 */
export function reprValue(style: ReprStyle, bytes: Uint8Array, a: number, b: number, scale?: number): number {
  if (b - a === 0 || b - a > 32) return Number.NaN
  const power = scale === undefined ? 1 : POW10[scale]!
  // `12.0`, where ToString writes `12`; any other plain field is ToString's text itself.
  const whole = b - a >= 3 && bytes[b - 1] === ZERO && bytes[b - 2] === DOT
  const end = whole ? b - 2 : b
  const value = scale === undefined ? float64Value(bytes, a, end) : scaledValue(bytes, a, end, false, scale)
  const x = value / power
  if (!Number.isNaN(value)) return plainIn(style, x) && whole === Number.isInteger(x) ? value : Number.NaN
  // Exponents and -0.0: through strings.
  let slow = b - a === 4 && bytes[a] === MINUS && bytes[a + 1] === ZERO
  for (let i = a; i < b && !slow; i++) slow = (bytes[i]! | 0x20) === 0x65
  if (!slow) return Number.NaN
  const text = latin1.decode(bytes.subarray(a, b))
  if (scale === undefined) {
    const double = Number(text)
    return style.repr(double) === text ? double : Number.NaN
  }
  // An int32 has no -0: "-0.0" stays an exception.
  const k = parseScaled(bytes, a, b, scale)
  return !Object.is(k, -0) && style.repr(k / power) === text ? k : Number.NaN
}

/** After ToString's text at [start, end): `.0` when it has no point, as Python writes it; returns the end. */
export function pointZero(out: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (out[i] === DOT) return end
  out[end] = DOT
  out[end + 1] = ZERO
  return end + 2
}
