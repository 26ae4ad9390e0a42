import { type Builder, makeBuilder } from 'apache-arrow'
import { type Element, sentinelOf } from './columns.js'
import type { VotableField } from './model.js'
import { arityOf, TEXT_DATATYPES, votableArrowType } from './types.js'

/** Bytes of one element of each datatype in BINARY and BINARY2 (bit: one byte per 8, see `bytesFor`). */
const ELEMENT_BYTES: Record<string, number> = {
  boolean: 1,
  bit: 1,
  unsignedByte: 1,
  char: 1,
  short: 2,
  unicodeChar: 2,
  int: 4,
  float: 4,
  long: 8,
  double: 8,
  floatComplex: 8,
  doubleComplex: 16,
}

type ElementReader = (view: DataView, offset: number) => Element

/** 'T', 't', '1' true; 'F', 'f', '0' false; '?', space and NUL null; undefined for any other byte. */
function readBoolean(view: DataView, offset: number): boolean | null | undefined {
  switch (view.getUint8(offset)) {
    case 0x54:
    case 0x74:
    case 0x31:
      return true
    case 0x46:
    case 0x66:
    case 0x30:
      return false
    case 0x3f:
    case 0x20:
    case 0x00:
      return null
  }
  return undefined
}

const NUMBER_READERS: Record<string, ElementReader> = {
  unsignedByte: (view, offset) => view.getUint8(offset),
  short: (view, offset) => view.getInt16(offset),
  int: (view, offset) => view.getInt32(offset),
  long: (view, offset) => view.getBigInt64(offset),
  float: (view, offset) => view.getFloat32(offset),
  double: (view, offset) => view.getFloat64(offset),
  floatComplex: (view, offset) => view.getFloat32(offset),
  doubleComplex: (view, offset) => view.getFloat64(offset),
}

const CHAR_TEXT = new TextDecoder('utf-8')
const UCS2_TEXT = new TextDecoder('utf-16be')

/**
 * One FIELD of a BINARY or BINARY2 row: how many bytes its cell takes, and how to append the cell to an
 * Arrow builder of the type the TABLEDATA reader gives the same FIELD, with the same nulls (an empty
 * string, NaN, the VALUES null; an empty list for a variable-size array), so both encodings of a table
 * make the same Arrow data.
 */
export class BinaryField {
  readonly builder: Builder
  /** Bytes of one element (of one character for text). */
  readonly elementBytes: number
  /** Elements of a fixed cell; for a variable one, elements per unit of the count (`2x*`: 2). */
  readonly elements: number
  readonly variable: boolean
  readonly #scalar: boolean
  readonly #read: ElementReader | undefined
  readonly #sentinel: Element | undefined
  readonly #datatype: string
  // Decided once: cells are appended per row.
  readonly #text: boolean
  readonly #complex: boolean

  constructor(readonly field: VotableField) {
    this.builder = makeBuilder({ type: votableArrowType(field), nullValues: [null] })
    this.#datatype = field.datatype
    this.#text = TEXT_DATATYPES.has(field.datatype)
    this.#complex = field.datatype.endsWith('Complex')
    this.elementBytes = ELEMENT_BYTES[field.datatype] as number
    const arity = arityOf(field)
    this.variable = arity.kind === 'variable'
    this.#scalar = arity.kind === 'scalar'
    this.elements = arity.kind === 'fixed' ? arity.size : arity.kind === 'scalar' ? 1 : fixedPart(field)
    this.#read = NUMBER_READERS[field.datatype]
    this.#sentinel = sentinelOf(field)
  }

  /** Bytes of `elements` elements: bits are packed 8 a byte (a scalar bit takes a whole byte). */
  bytesFor(elements: number): number {
    return this.#datatype === 'bit' ? Math.ceil(elements / 8) : elements * this.elementBytes
  }

  /** Appends the cell of `elements` elements at `offset`; returns a problem instead when its bytes are invalid. */
  append(view: DataView, offset: number, elements: number, isNull: boolean): string | undefined {
    const builder = this.builder
    if (this.#text) {
      if (isNull) builder.append(null)
      else {
        const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, this.bytesFor(elements))
        const text = this.#decodeText(bytes)
        builder.append(text === '' || text === this.field.nullValue ? null : text)
      }
      return undefined
    }
    if (isNull) {
      builder.append(this.variable ? [] : null)
      return undefined
    }
    const values: unknown[] = []
    const complex = this.#complex
    for (let i = 0; i < elements; i++) {
      if (this.#datatype === 'bit') {
        // MSB first; a scalar bit is its byte being non-zero (astropy writes 0x08, the standard 0x80).
        const byte = view.getUint8(offset + (i >> 3))
        values.push(this.#scalar ? byte !== 0 : (byte & (0x80 >> (i & 7))) !== 0)
      } else if (this.#datatype === 'boolean') {
        const value = readBoolean(view, offset + i)
        if (value === undefined) return `byte ${view.getUint8(offset + i)} is not a boolean`
        values.push(value)
      } else if (complex) {
        const part = this.elementBytes / 2
        const at = offset + i * this.elementBytes
        values.push([this.#number(view, at), this.#number(view, at + part)])
      } else values.push(this.#number(view, offset + i * this.elementBytes))
    }
    if (!this.#scalar) builder.append(values)
    else if (complex && (values[0] as unknown[]).every((part) => part === null)) builder.append(null)
    else builder.append(values[0])
    return undefined
  }

  /** A fixed string ends at its first NUL (the padding); UCS-2 is read big-endian. */
  #decodeText(bytes: Uint8Array): string {
    const text = (this.#datatype === 'char' ? CHAR_TEXT : UCS2_TEXT).decode(bytes)
    const nul = text.indexOf('\0')
    return nul < 0 ? text : text.slice(0, nul)
  }

  #number(view: DataView, offset: number): Element {
    const value = (this.#read as ElementReader)(view, offset)
    if (typeof value === 'number' && Number.isNaN(value)) return null
    return this.#sentinel !== undefined && value === this.#sentinel ? null : value
  }
}

/** The product of the fixed dimensions before the `*` of a variable arraysize (`2x3x*`: 6). */
function fixedPart(field: VotableField): number {
  const dims = (field.arraysize as string).trim().split('x').slice(0, -1)
  return dims.reduce((product, dim) => product * Number(dim), 1)
}
