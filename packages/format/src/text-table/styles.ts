/**
 * How the values of a float64 or decimal column are written (SPEC §7.2, byte 3 of a column chunk). Files
 * written by Python (pandas, astropy, numpy) print `2.0` and `1e-05` where ECMAScript prints `2` and
 * `0.00001`: as ECMAScript text those fields were all exceptions.
 */
export const NumberStyle = { ecmascript: 0, python: 1 } as const

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
