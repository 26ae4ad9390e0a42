/** One 80-character header record, kept exactly as written plus its parsed parts. */
export interface FitsCard {
  /** The 80 characters as they stand in the file. */
  raw: string
  /** Byte offset of the card in the file. */
  offset: number
  /** Keyword without trailing spaces; for HIERARCH cards the words after HIERARCH, e.g. `ESO DET NAME`. */
  keyword: string
  /** `value`: `KEY = v`; `commentary`: COMMENT, HISTORY, blank or any card without `= `; `continue`: a CONTINUE part. */
  kind: 'value' | 'commentary' | 'continue' | 'end'
  /** Parsed value; null for commentary cards and for an undefined (blank) value. */
  value: FitsValue
  /** Text after `/`, or the whole text of a commentary card, trimmed. */
  comment: string
  /** Set when the value field could not be parsed; the card is kept and reading goes on. */
  problem?: string
}

export interface FitsComplex {
  re: number
  im: number
}

/** Integers beyond 2^53 stay exact as bigint; every other integer is a number. */
export type FitsValue = string | number | bigint | boolean | FitsComplex | null

export const CARD_LENGTH = 80

const COMMENTARY = new Set(['COMMENT', 'HISTORY', ''])
const INTEGER = /^[+-]?\d+$/
const REAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][+-]?\d+)?$/
const COMPLEX = /^\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)$/

/** Parses one 80-character card (shorter text is treated as padded with spaces). */
export function parseCard(raw: string, offset = 0): FitsCard {
  const keyword = raw.slice(0, 8).trimEnd()
  if (keyword === 'END' && raw.slice(8).trim() === '') {
    return { raw, offset, keyword, kind: 'end', value: null, comment: '' }
  }
  if (keyword === 'HIERARCH') {
    const equals = raw.indexOf('=', 8)
    if (equals > 8) {
      return {
        raw,
        offset,
        keyword: raw.slice(8, equals).trim(),
        kind: 'value',
        ...parseValueField(raw.slice(equals + 1)),
      }
    }
  }
  if (keyword === 'CONTINUE' && !raw.startsWith('= ', 8)) {
    return { raw, offset, keyword, kind: 'continue', ...parseValueField(raw.slice(8)) }
  }
  if (COMMENTARY.has(keyword) || !raw.startsWith('= ', 8)) {
    return { raw, offset, keyword, kind: 'commentary', value: null, comment: raw.slice(8).trimEnd() }
  }
  return { raw, offset, keyword, kind: 'value', ...parseValueField(raw.slice(10)) }
}

interface ValueField {
  value: FitsValue
  comment: string
  problem?: string
}

/** Parses the text after `= `: a quoted string, T/F, an integer, a real, a complex pair or nothing. */
export function parseValueField(text: string): ValueField {
  let start = 0
  while (start < text.length && text.charCodeAt(start) === 32) start++
  if (text[start] === "'") return parseStringField(text, start)
  const slash = text.indexOf('/', start)
  const valueText = (slash < 0 ? text.slice(start) : text.slice(start, slash)).trim()
  const comment = slash < 0 ? '' : text.slice(slash + 1).trim()
  const value = parseScalar(valueText)
  if (value === undefined) return { value: null, comment, problem: `cannot parse value '${valueText}'` }
  return { value, comment }
}

function parseStringField(text: string, quote: number): ValueField {
  let value = ''
  let index = quote + 1
  for (;;) {
    const next = text.indexOf("'", index)
    if (next < 0) {
      return {
        value: value + text.slice(index).trimEnd(),
        comment: '',
        problem: 'string value has no closing quote',
      }
    }
    value += text.slice(index, next)
    if (text[next + 1] !== "'") {
      index = next + 1
      break
    }
    value += "'"
    index = next + 2
  }
  const slash = text.indexOf('/', index)
  const comment = slash < 0 ? '' : text.slice(slash + 1).trim()
  // Trailing spaces inside the quotes carry no meaning; leading ones do.
  return { value: value.trimEnd(), comment }
}

function parseScalar(text: string): FitsValue | undefined {
  if (text === '') return null
  if (text === 'T') return true
  if (text === 'F') return false
  if (INTEGER.test(text)) return parseInteger(text)
  if (REAL.test(text)) return Number(text.replace(/[dD]/, 'E'))
  const complex = COMPLEX.exec(text)
  if (complex) {
    const re = parseNumber(complex[1]!)
    const im = parseNumber(complex[2]!)
    if (re !== undefined && im !== undefined) return { re, im }
  }
  return undefined
}

function parseNumber(text: string): number | undefined {
  return INTEGER.test(text) || REAL.test(text) ? Number(text.replace(/[dD]/, 'E')) : undefined
}

function parseInteger(text: string): number | bigint {
  // 15 digits always fit a double exactly; longer ones go through bigint to decide.
  if (text.replace(/^[+-]?0*/, '').length <= 15) return Number(text)
  const big = BigInt(text)
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
}
