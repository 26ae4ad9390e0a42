// Decimals of 16 to 19 significant digits with a negative power of ten (225.86558534045722, 0.1234...e-5),
// the common case of full-precision survey columns, correctly rounded without making a string for Number().

/** 10^k for k <= 22: exact doubles. */
export const EXACT_POWERS: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k)

// Veltkamp's splitter 2^27 + 1: a double splits into two 26-bit halves whose products are exact.
const SPLITTER = 134217729
const bits = new Float64Array(1)
const words = new Uint32Array(bits.buffer)

/**
 * The double nearest to (high * 10^lowDigits + low) / 10^k, for integers high < 2^35, low < 10^lowDigits,
 * lowDigits <= 9, a dividend of at least 10^15, and 1 <= k <= 22. Returns NaN when the quotient lies too close
 * to a halfway point between two doubles to tell which is nearer (exact halves, say); the caller then uses
 * Number().
 */
export function decimalQuotient(high: number, low: number, lowDigits: number, k: number): number {
  const divisor = EXACT_POWERS[k]!
  const scale = EXACT_POWERS[lowDigits]!
  // The dividend exactly, as hi + lo: high * scale by Dekker's exact product, then low added by Knuth's
  // two-sum. Both rounding errors are small integers, so lo holds them exactly.
  const product = high * scale
  let split = SPLITTER * high
  const highHi = split - (split - high)
  const highLo = high - highHi
  // scale (at most 5^9 * 2^9: 21 significant bits) splits exactly as scale + 0.
  const productError = highHi * scale - product + highLo * scale
  const hi = product + low
  const lowPart = hi - product
  const lo = productError + (product - (hi - lowPart) + (low - lowPart))
  // A first quotient and the exact remainder hi - q * divisor (representable, as q is hi / divisor rounded).
  const q = hi / divisor
  const p = q * divisor
  split = SPLITTER * q
  const qHi = split - (split - q)
  const qLo = q - qHi
  split = SPLITTER * divisor
  const dHi = split - (split - divisor)
  const dLo = divisor - dHi
  const pError = qHi * dHi - p + qHi * dLo + qLo * dHi + qLo * dLo
  const correction = (hi - p - pError + lo) / divisor // off by at most ~2^-50 units in q's last place
  const candidate = q + correction
  const rest = q - candidate + correction // exactly what rounding q + correction dropped
  // The spacing of doubles at candidate: flip its last bit. At a power of two the spacing below is half
  // the spacing above; such a candidate goes to Number() rather than to a special case.
  bits[0] = candidate
  if (words[0] === 0 && (words[1]! & 0xfffff) === 0) return Number.NaN
  words[0]! ^= 1
  const ulp = Math.abs(bits[0] - candidate)
  return Math.abs(rest) < ulp * (0.5 - 2 ** -30) ? candidate : Number.NaN
}
