import { type Builder, type Data, makeBuilder } from 'apache-arrow'
import type { VotableField } from './model.js'
import { type Arity, arityOf, TEXT_DATATYPES, votableArrowType } from './types.js'

/** What an element parser returns for text that is not a value of its datatype. */
const INVALID = Symbol('invalid')
export type Element = number | bigint | boolean | null
type ElementParser = (token: string) => Element | typeof INVALID

const DECIMAL = /^[+-]?\d+$/
const HEX = /^0[xX][0-9a-fA-F]+$/
const REAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const INFINITY = /^([+-]?)inf(inity)?$/i

/** Integers in decimal, or in hexadecimal as the bit pattern (`0xFFFF` is -1 for a short). */
function integerParser(bits: number, unsigned: boolean): ElementParser {
  const min = unsigned ? 0 : -(2 ** (bits - 1))
  const max = unsigned ? 2 ** bits - 1 : 2 ** (bits - 1) - 1
  return (token) => {
    let value: number
    if (DECIMAL.test(token)) value = Number(token)
    else if (HEX.test(token)) {
      value = Number.parseInt(token.slice(2), 16)
      if (value > max && value < 2 ** bits) value -= 2 ** bits
    } else return INVALID
    return value >= min && value <= max ? value : INVALID
  }
}

const LONG_MIN = -(2n ** 63n)
const LONG_MAX = 2n ** 63n - 1n

function parseLong(token: string): bigint | typeof INVALID {
  if (DECIMAL.test(token)) {
    const value = BigInt(token)
    return value >= LONG_MIN && value <= LONG_MAX ? value : INVALID
  }
  if (HEX.test(token) && token.length <= 18) return BigInt.asIntN(64, BigInt(token))
  return INVALID
}

/** Decimal reals, `NaN`, and `Inf`/`Infinity` with a sign, any case (VOTable writers differ). */
function parseReal(token: string): number | typeof INVALID {
  if (REAL.test(token)) return Number(token)
  const infinity = INFINITY.exec(token)
  if (infinity !== null) return infinity[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  return token.toLowerCase() === 'nan' ? Number.NaN : INVALID
}

function parseBoolean(token: string): boolean | null | typeof INVALID {
  switch (token) {
    case 'T':
    case 't':
    case '1':
      return true
    case 'F':
    case 'f':
    case '0':
      return false
    case '?':
      return null
  }
  const lower = token.toLowerCase()
  return lower === 'true' ? true : lower === 'false' ? false : INVALID
}

const parseBit: ElementParser = (token) => (token === '1' ? true : token === '0' ? false : INVALID)

const PARSERS: Record<string, ElementParser> = {
  boolean: parseBoolean,
  bit: parseBit,
  unsignedByte: integerParser(8, true),
  short: integerParser(16, false),
  int: integerParser(32, false),
  long: parseLong,
  float: parseReal,
  double: parseReal,
  floatComplex: parseReal,
  doubleComplex: parseReal,
}

/** The element value a field's VALUES null stands for (a float's as stored: Math.fround); undefined without one. */
export function sentinelOf(field: VotableField): Element | undefined {
  const parse = PARSERS[field.datatype]
  if (parse === undefined || field.nullValue === undefined) return undefined
  const sentinel = parse(field.nullValue.trim())
  if (sentinel === INVALID) return undefined
  return field.datatype === 'float' && typeof sentinel === 'number' ? Math.fround(sentinel) : sentinel
}

/**
 * Turns one field's TD texts into Arrow data. An empty TD is null (an empty list for a variable-size
 * array, as astropy reads it); so is an element equal to the VALUES null sentinel, a float NaN, a boolean
 * `?`, and the texts `null` and `-` that IRSA writes for a missing number (astropy reads them as masked).
 */
export class ColumnDecoder {
  readonly #builder: Builder
  readonly #text: boolean
  readonly #arity: Arity
  readonly #complex: boolean
  readonly #parse: ElementParser
  readonly #nullValue: string | undefined
  readonly #sentinel: Element | typeof INVALID

  constructor(readonly field: VotableField) {
    const type = votableArrowType(field)
    this.#builder = makeBuilder({ type, nullValues: [null] })
    this.#text = TEXT_DATATYPES.has(field.datatype)
    this.#arity = arityOf(field)
    this.#complex = field.datatype.endsWith('Complex')
    this.#parse = this.#text ? () => INVALID : (PARSERS[field.datatype] as ElementParser)
    this.#nullValue = field.nullValue
    this.#sentinel = sentinelOf(field) ?? INVALID
  }

  /** Adds one cell; returns a description of what is wrong with the text instead, when it is not valid. */
  add(text: string): string | undefined {
    if (this.#text) {
      this.#builder.append(text === '' || text === this.#nullValue ? null : text)
      return undefined
    }
    const trimmed = text.trim()
    const arity = this.#arity
    if (trimmed === '') {
      this.#builder.append(arity.kind === 'variable' ? [] : null)
      return undefined
    }
    const tokens =
      this.field.datatype === 'bit' && arity.kind !== 'scalar'
        ? [...trimmed.replace(/\s+/g, '')]
        : trimmed.split(/\s+/)
    const values: unknown[] = []
    for (const token of tokens) {
      const value = this.#element(token)
      if (value === INVALID) return `'${token.slice(0, 40)}' is not a ${this.field.datatype}`
      values.push(value)
    }
    const cell = this.#complex ? pairs(values) : values
    if (cell === undefined) return `${values.length} numbers do not make complex pairs`
    if (arity.kind === 'scalar') {
      if (cell.length !== 1) return `${cell.length} values where one ${this.field.datatype} is expected`
      this.#builder.append(
        this.#complex && (cell[0] as unknown[]).every((part) => part === null) ? null : cell[0],
      )
    } else {
      if (arity.kind === 'fixed' && cell.length !== arity.size) {
        return `${cell.length} elements where arraysize '${this.field.arraysize}' needs ${arity.size}`
      }
      this.#builder.append(cell)
    }
    return undefined
  }

  /** The column of the cells added since the last flush. */
  flush(): Data {
    return this.#builder.flush()
  }

  #element(token: string): Element | typeof INVALID {
    const value = this.#parse(token)
    if (value === INVALID) return token === '-' || token.toLowerCase() === 'null' ? null : INVALID
    if (Number.isNaN(value)) return null
    if (this.#sentinel !== INVALID) {
      const stored = this.field.datatype === 'float' && typeof value === 'number' ? Math.fround(value) : value
      if (stored === this.#sentinel) return null
    }
    return value
  }
}

function pairs(values: unknown[]): unknown[][] | undefined {
  if (values.length % 2 !== 0) return undefined
  const out: unknown[][] = []
  for (let i = 0; i < values.length; i += 2) out.push([values[i], values[i + 1]])
  return out
}
