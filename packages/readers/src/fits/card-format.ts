import { CARD_LENGTH, type FitsValue } from './card.js'

/** Longest string fragment that fits one card with quotes and the `&` continuation mark. */
const FRAGMENT = 67

/**
 * Writes a keyword record in fixed format (value right-justified to column 30, strings from column 11),
 * splitting long strings over CONTINUE cards. Returns one or more 80-character cards.
 */
export function formatCards(keyword: string, value: FitsValue, comment = ''): string[] {
  if (keyword.length > 8) throw new RangeError(`keyword longer than 8 characters: ${keyword}`)
  const name = keyword.padEnd(8)
  if (typeof value === 'string') return formatString(name, value, comment)
  const text = formatScalar(value).padStart(20)
  return [card(`${name}= ${text}${comment === '' ? '' : ` / ${comment}`}`)]
}

function formatScalar(value: Exclude<FitsValue, string>): string {
  if (value === null) return ''
  if (typeof value === 'boolean') return value ? 'T' : 'F'
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') return formatNumber(value)
  return `(${formatReal(value.re)}, ${formatReal(value.im)})`
}

function formatNumber(value: number): string {
  const integer =
    Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER && !Object.is(value, -0)
  return integer ? String(value) : formatReal(value)
}

/** Shortest text that reads back to the same double, always with a `.` or an exponent. */
export function formatReal(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError('FITS header values cannot be NaN or infinite')
  if (Object.is(value, -0)) return '-0.0'
  const text = String(value).toUpperCase().replace('E+', 'E')
  return /[.E]/.test(text) ? text : `${text}.0`
}

function formatString(name: string, value: string, comment: string): string[] {
  const escaped = value.replaceAll("'", "''")
  if (escaped.length <= 68) {
    const quoted = `'${escaped.padEnd(8)}'`.padEnd(20)
    return [card(`${name}= ${quoted}${comment === '' ? '' : ` / ${comment}`}`)]
  }
  // Split without cutting a doubled quote in two.
  const parts: string[] = []
  let rest = escaped
  while (rest.length > 0) {
    let take = Math.min(FRAGMENT, rest.length)
    if (take < rest.length && countTrailingQuotes(rest.slice(0, take)) % 2 === 1) take--
    parts.push(rest.slice(0, take))
    rest = rest.slice(take)
  }
  return parts.map((part, index) => {
    const last = index === parts.length - 1
    const head = index === 0 ? `${name}= ` : 'CONTINUE  '
    const tail = last && comment !== '' ? ` / ${comment}` : ''
    return card(`${head}'${part}${last ? '' : '&'}'${tail}`)
  })
}

function countTrailingQuotes(text: string): number {
  let count = 0
  while (count < text.length && text[text.length - 1 - count] === "'") count++
  return count
}

function card(text: string): string {
  return text.length > CARD_LENGTH ? text.slice(0, CARD_LENGTH) : text.padEnd(CARD_LENGTH)
}
