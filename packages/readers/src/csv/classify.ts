import { decimalQuotient, EXACT_POWERS } from './decimal.js'
import { csvError } from './errors.js'
import type { RecordPlace } from './tokenize.js'

/**
 * What one field holds, decided from its bytes (spaces and tabs around it ignored). Integers are split by
 * range: int32, exact in a double (|v| <= 2^53), int64, and beyond int64.
 */
export const NULL = 0
/** A null spelling that also spells NaN (`NaN`, `nan`): NaN in a float column, null elsewhere. */
export const NAN_NULL = 1
export const INT32 = 2
export const INT53 = 3
export const INT64 = 4
export const INT_HUGE = 5
export const FLOAT = 6
export const BOOL = 7
export const TEXT = 8
export type Kind = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8

export const DEFAULT_NULL_VALUES: readonly string[] = ['', 'null', 'NULL', 'NaN', 'nan', '--', 'N/A']

const SPACE = 0x20
const TAB = 0x09
const PLUS = 0x2b
const MINUS = 0x2d
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39
const ascii = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0))
const TWO_POW_53 = ascii('9007199254740992')
const INT64_MAX = ascii('9223372036854775807')
const INT64_MIN_MAGNITUDE = ascii('9223372036854775808')
const TRUE_WORDS = ['true', 'True', 'TRUE', 'T'].map(ascii)
const FALSE_WORDS = ['false', 'False', 'FALSE', 'F'].map(ascii)

/**
 * Classifies fields. After `classify`, `start`/`end` bound the field without surrounding blanks, and
 * `value` holds the number for INT32, INT53, BOOL (1 or 0) and FLOAT; for FLOAT, `exact` is false when
 * the value needs Number() of the text (over 19 significant digits, a power of ten beyond 22: see #decimal).
 */
export class FieldClassifier {
  value = 0
  exact = true
  start = 0
  end = 0
  readonly #nulls: { bytes: Uint8Array; nan: boolean }[][] = []
  /** First bytes of the null spellings: most fields are ruled out by one lookup. */
  readonly #nullFirstBytes = new Uint8Array(256)

  /** False for the type scan, which needs kinds only: long decimals then skip their exact value. */
  readonly #wantValues: boolean

  constructor(nullValues: readonly string[], wantValues = true) {
    this.#wantValues = wantValues
    for (const text of nullValues) {
      const bytes = new TextEncoder().encode(text)
      const sameLength = this.#nulls[bytes.length] ?? []
      sameLength.push({ bytes, nan: /^nan$/i.test(text) })
      this.#nulls[bytes.length] = sameLength
      if (bytes.length > 0) this.#nullFirstBytes[bytes[0]!] = 1
    }
  }

  classify(buf: Uint8Array, from: number, to: number): Kind {
    const nullKind = this.nullKind(buf, from, to)
    if (nullKind !== TEXT) return nullKind
    const { start, end } = this
    if (start === end) return TEXT
    const first = buf[start]!
    if ((first >= ZERO && first <= NINE) || first === MINUS || first === PLUS || first === DOT) {
      return this.#number(buf, start, end)
    }
    if (end - start <= 5) {
      if (TRUE_WORDS.some((word) => equalBytes(buf, start, end, word))) return this.#set(1, BOOL)
      if (FALSE_WORDS.some((word) => equalBytes(buf, start, end, word))) return this.#set(0, BOOL)
    }
    return this.#special(buf, start, end, 1)
  }

  /** Trims the field into start/end; NULL or NAN_NULL for a null spelling, else TEXT. */
  nullKind(buf: Uint8Array, from: number, to: number): Kind {
    while (from < to && (buf[from] === SPACE || buf[from] === TAB)) from++
    while (to > from && (buf[to - 1] === SPACE || buf[to - 1] === TAB)) to--
    this.start = from
    this.end = to
    const spellings = this.#nulls[to - from]
    if (spellings !== undefined && (from === to || this.#nullFirstBytes[buf[from]!] === 1)) {
      for (const { bytes, nan } of spellings)
        if (equalBytes(buf, from, to, bytes)) return nan ? NAN_NULL : NULL
    }
    return TEXT
  }

  #set(value: number, kind: Kind): Kind {
    this.value = value
    this.exact = true
    return kind
  }

  /**
   * Decimal numbers as JavaScript's Number() reads them, without hex, binary or `_` separators. One pass
   * gathers the digits; integers of up to 15 digits and short decimals need nothing more.
   */
  #number(buf: Uint8Array, start: number, end: number): Kind {
    let i = start
    let sign = 1
    if (buf[i] === MINUS) {
      sign = -1
      i++
    } else if (buf[i] === PLUS) i++
    const intStart = i
    let mantissa = 0
    for (; i < end; i++) {
      const digit = buf[i]! - ZERO
      if (digit < 0 || digit > 9) break
      mantissa = mantissa * 10 + digit
    }
    const intEnd = i
    if (i === end) {
      if (intEnd === intStart) return TEXT
      if (intEnd - intStart > 15) return this.#longInteger(buf, intStart, intEnd, sign)
      // -0 says a float was written (an integer has no sign of zero), so it stays the float -0.
      if (mantissa === 0 && sign < 0) return this.#set(-0, FLOAT)
      const fits32 = mantissa <= 2147483647 || (sign < 0 && mantissa === 2147483648)
      return this.#set(sign * mantissa, fits32 ? INT32 : INT53)
    }
    let fracStart = i
    if (buf[i] === DOT) {
      fracStart = ++i
      for (; i < end; i++) {
        const digit = buf[i]! - ZERO
        if (digit < 0 || digit > 9) break
        mantissa = mantissa * 10 + digit
      }
    }
    const fracEnd = i
    if (intEnd === intStart && fracEnd === fracStart) {
      return i === intStart ? this.#special(buf, i, end, sign) : TEXT
    }
    let exponent = 0
    if (i < end) {
      if ((buf[i]! | 0x20) !== 0x65) return TEXT // e or E
      i++
      let exponentSign = 1
      if (i < end && buf[i] === MINUS) {
        exponentSign = -1
        i++
      } else if (i < end && buf[i] === PLUS) i++
      if (i === end) return TEXT
      for (; i < end; i++) {
        const digit = buf[i]! - ZERO
        if (digit < 0 || digit > 9) return TEXT
        // Clamped: beyond +-99999 the value is 0 or Infinity either way, and the count cannot overflow.
        exponent = Math.min(99999, exponent * 10 + digit)
      }
      exponent *= exponentSign
    }
    const scale = exponent - (fracEnd - fracStart)
    if (intEnd - intStart + fracEnd - fracStart <= 15 && scale >= -22 && scale <= 22) {
      this.exact = true
      this.value =
        scale >= 0 ? sign * mantissa * EXACT_POWERS[scale]! : (sign * mantissa) / EXACT_POWERS[-scale]!
    } else if (this.#wantValues) {
      this.#decimal(buf, intStart, intEnd, fracEnd, exponent, sign)
    } else {
      this.exact = false
    }
    return FLOAT
  }

  /**
   * Sets value exactly when the significant digits fit in 15 and the power of ten is exact (Clinger), or,
   * for 16 to 19 digits and a negative power, through decimalQuotient; else leaves it to Number().
   */
  #decimal(
    buf: Uint8Array,
    intStart: number,
    intEnd: number,
    fracEnd: number,
    exponent: number,
    sign: number,
  ): void {
    while (fracEnd > intEnd + 1 && buf[fracEnd - 1] === ZERO) fracEnd--
    // Significant digits: the first ten in `high`, the rest in `low`; both exact up to 19 digits in all.
    let high = 0
    let low = 0
    let digits = 0
    for (let i = intStart; i < fracEnd; i++) {
      if (i === intEnd) continue // the point
      if (i > intEnd) exponent--
      const digit = buf[i]! - ZERO
      if (digits === 0 && digit === 0) continue
      if (digits < 10) high = high * 10 + digit
      else low = low * 10 + digit
      digits++
    }
    this.exact = true
    if (digits === 0) {
      this.value = sign * 0
      return
    }
    if (digits <= 15) {
      const mantissa = digits <= 10 ? high : high * EXACT_POWERS[digits - 10]! + low
      if (exponent >= 0 && exponent <= 22) {
        this.value = sign * mantissa * EXACT_POWERS[exponent]!
        return
      }
      if (exponent < 0 && exponent >= -22) {
        this.value = (sign * mantissa) / EXACT_POWERS[-exponent]!
        return
      }
    } else if (digits <= 19 && exponent < 0 && exponent >= -22) {
      this.value = sign * decimalQuotient(high, low, digits - 10, -exponent)
      this.exact = !Number.isNaN(this.value)
      return
    }
    this.exact = false
  }

  /** Integers written with more than 15 digits (perhaps leading zeros): ranges found by comparing digits. */
  #longInteger(buf: Uint8Array, start: number, end: number, sign: number): Kind {
    while (start < end - 1 && buf[start] === ZERO) start++
    const digits = end - start
    if (digits > 16) {
      if (digits < 19) return INT64
      if (digits > 19) return INT_HUGE
      return lessOrEqual(buf, start, sign < 0 ? INT64_MIN_MAGNITUDE : INT64_MAX) ? INT64 : INT_HUGE
    }
    if (digits === 16 && !lessOrEqual(buf, start, TWO_POW_53)) return INT64
    let magnitude = 0
    // The digit first: adding the byte and then subtracting '0' could round a sum just under 2^53.
    for (let i = start; i < end; i++) magnitude = magnitude * 10 + (buf[i]! - ZERO)
    if (magnitude === 0 && sign < 0) return this.#set(-0, FLOAT)
    const fits32 = magnitude <= 2147483647 || (sign < 0 && magnitude === 2147483648)
    return this.#set(sign * magnitude, fits32 ? INT32 : INT53)
  }

  /** nan, inf and infinity in any letter case, after an optional sign. */
  #special(buf: Uint8Array, start: number, end: number, sign: number): Kind {
    const length = end - start
    if (length !== 3 && length !== 8) return TEXT
    let word = ''
    for (let i = start; i < end; i++) word += String.fromCharCode(buf[i]! | 0x20)
    if (word === 'nan') return this.#set(Number.NaN, FLOAT)
    if (word === 'inf' || word === 'infinity') return this.#set(sign * Number.POSITIVE_INFINITY, FLOAT)
    return TEXT
  }
}

function equalBytes(buf: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false
  for (let i = 0; i < word.length; i++) if (buf[start + i] !== word[i]) return false
  return true
}

/** Digits at `start` (as many as `limit` has) compared with `limit` as numbers. */
function lessOrEqual(buf: Uint8Array, start: number, limit: Uint8Array): boolean {
  for (let i = 0; i < limit.length; i++) {
    const byte = buf[start + i]!
    if (byte !== limit[i]) return byte < limit[i]!
  }
  return true
}

/** Throws CORRUPT_CHUNK for a NUL byte (binary data, or UTF-16) or invalid UTF-8 in a text field. */
export function checkText(
  place: RecordPlace,
  buf: Uint8Array,
  start: number,
  end: number,
  column: string,
): void {
  const bad = findBadText(buf, start, end)
  if (bad === -1) return
  const what = buf[bad] === 0 ? 'a NUL byte: not text' : 'invalid UTF-8'
  throw csvError('CORRUPT_CHUNK', place.row, place.bufferOffset + bad, `column '${column}': ${what}`)
}

/** The offset of a NUL byte or of the first byte of invalid UTF-8 in the range, or -1 when it is valid text. */
export function findBadText(buf: Uint8Array, start: number, end: number): number {
  let i = start
  while (i < end) {
    const lead = buf[i]!
    if (lead === 0) return i
    if (lead < 0x80) {
      i++
      continue
    }
    // Well-formed sequences (Unicode table 3-7): the lead byte fixes the length and the second byte's range,
    // which rules out overlong forms, surrogates and values beyond U+10FFFF.
    let length = 4
    let low = 0x80
    let high = 0xbf
    if (lead >= 0xc2 && lead <= 0xdf) length = 2
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3
      if (lead === 0xe0) low = 0xa0
      if (lead === 0xed) high = 0x9f
    } else if (lead === 0xf0) low = 0x90
    else if (lead === 0xf4) high = 0x8f
    else if (lead < 0xf1 || lead > 0xf3) return i
    if (i + length > end || buf[i + 1]! < low || buf[i + 1]! > high) return i
    for (let k = 2; k < length; k++) if ((buf[i + k]! & 0xc0) !== 0x80) return i
    i += length
  }
  return -1
}
