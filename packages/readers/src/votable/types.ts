import { AstropackError } from '@astropack/codecs'
import {
  Bool,
  type DataType,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  List,
  Uint8,
  Utf8,
} from 'apache-arrow'
import type { VotableField } from './model.js'

/** The Arrow type of one element of each VOTable datatype (a complex is a FixedSizeList of 2 parts). */
const ELEMENT_TYPES: Record<string, () => DataType> = {
  boolean: () => new Bool(),
  bit: () => new Bool(),
  unsignedByte: () => new Uint8(),
  short: () => new Int16(),
  int: () => new Int32(),
  long: () => new Int64(),
  float: () => new Float32(),
  double: () => new Float64(),
  floatComplex: () => new FixedSizeList(2, new Field('item', new Float32(), true)),
  doubleComplex: () => new FixedSizeList(2, new Field('item', new Float64(), true)),
}

export const TEXT_DATATYPES = new Set(['char', 'unicodeChar'])

/** The shape of a field's cells: one element, exactly `size` elements, or any number. */
export type Arity = { kind: 'scalar' } | { kind: 'fixed'; size: number } | { kind: 'variable' }

function fieldError(field: VotableField, text: string): AstropackError {
  return new AstropackError('CORRUPT_CHUNK', `VOTable FIELD '${field.name}': ${text}`)
}

/**
 * Reads `arraysize`: dimensions separated by `x`, the last one may be `*` or `n*` (variable). The cells are
 * flattened in TD order, so `2x3` is 6 elements. `1` (or absent) is a scalar.
 */
export function arityOf(field: VotableField): Arity {
  const arraysize = field.arraysize?.trim()
  if (arraysize === undefined || arraysize === '' || arraysize === '1') return { kind: 'scalar' }
  const dims = arraysize.split('x')
  let size = 1
  for (const [i, dim] of dims.entries()) {
    const match = /^(\d*)(\*?)$/.exec(dim)
    const fixed = match?.[1] ?? ''
    const star = match?.[2] === '*'
    if (match === null || (fixed === '' && !star) || (star && i < dims.length - 1)) {
      throw fieldError(field, `arraysize '${field.arraysize}' is not n, n*, * or NxM..`)
    }
    if (star) return { kind: 'variable' }
    size *= Number(fixed)
  }
  if (!Number.isSafeInteger(size)) throw fieldError(field, `arraysize '${field.arraysize}' is too large`)
  return { kind: 'fixed', size }
}

/** The element type of a non-text field; CORRUPT_CHUNK for a datatype VOTable does not define. */
export function elementType(field: VotableField): DataType {
  const make = ELEMENT_TYPES[field.datatype]
  if (make === undefined) {
    throw fieldError(
      field,
      `unknown datatype '${field.datatype}' (VOTable 1.4 defines boolean, bit, unsignedByte, short, int, long, char, unicodeChar, float, double, floatComplex, doubleComplex)`,
    )
  }
  return make()
}

/** A field's Arrow type: char and unicodeChar of any arraysize are strings; arrays are (FixedSize)Lists. */
export function votableArrowType(field: VotableField): DataType {
  if (TEXT_DATATYPES.has(field.datatype)) {
    arityOf(field) // rejects a malformed arraysize here too
    return new Utf8()
  }
  const element = elementType(field)
  const arity = arityOf(field)
  if (arity.kind === 'scalar') return element
  const item = new Field('item', element, true)
  return arity.kind === 'fixed' ? new FixedSizeList(arity.size, item) : new List(item)
}

/** An Arrow field with the VOTable metadata a reader of the Arrow data needs. */
export function votableArrowField(field: VotableField): Field {
  const metadata = new Map<string, string>()
  if (field.unit !== undefined && field.unit.trim() !== '') metadata.set('unit', field.unit)
  if (field.ucd !== undefined) metadata.set('ucd', field.ucd)
  if (field.description !== undefined) metadata.set('description', field.description)
  if (field.utype !== undefined) metadata.set('votable.utype', field.utype)
  if (field.xtype !== undefined) metadata.set('votable.xtype', field.xtype)
  metadata.set('votable.datatype', field.datatype)
  if (field.arraysize !== undefined) metadata.set('votable.arraysize', field.arraysize)
  if (field.ID !== undefined) metadata.set('votable.ID', field.ID)
  return new Field(field.name, votableArrowType(field), true, metadata)
}
