import type { Metadata } from 'h5wasm/node'

/** An HDF5 datatype as this reader sees it (HDF5 File Format Specification §IV.A.2.d, datatype classes). */
export type Hdf5Type =
  | { class: 'integer'; size: number; signed: boolean; littleEndian: boolean }
  | { class: 'float'; size: number; littleEndian: boolean }
  /** Fixed-length (`size` bytes) or variable-length (`variable`) text, ASCII or UTF-8. */
  | { class: 'string'; size: number; variable: boolean; charset: 'ascii' | 'utf-8' }
  | { class: 'compound'; size: number; members: Hdf5MemberType[] }
  | { class: 'array'; size: number; shape: number[]; base: Hdf5Type }
  /** Named integers; `base` is the stored integer type. */
  | { class: 'enum'; size: number; base: Hdf5Type; names: Record<string, number> }
  /** Classes not read into tables: time, bitfield, opaque, reference, vlen sequences. */
  | { class: 'other'; size: number; name: string }

export interface Hdf5MemberType {
  name: string
  /** Byte offset of the member in a row. */
  offset: number
  type: Hdf5Type
}

// H5T_class_t values (H5Tpublic.h).
const CLASS_NAMES = [
  'integer',
  'float',
  'time',
  'string',
  'bitfield',
  'opaque',
  'compound',
  'reference',
  'enum',
  'vlen',
  'array',
]

/** Describes h5wasm's datatype metadata. */
export function describeType(metadata: Metadata): Hdf5Type {
  const { size } = metadata
  switch (CLASS_NAMES[metadata.type]) {
    case 'integer':
      return { class: 'integer', size, signed: metadata.signed, littleEndian: metadata.littleEndian }
    case 'float':
      return { class: 'float', size, littleEndian: metadata.littleEndian }
    case 'string':
      return {
        class: 'string',
        size,
        variable: metadata.vlen,
        charset: metadata.cset === 1 ? 'utf-8' : 'ascii',
      }
    case 'compound': {
      const members = metadata.compound_type?.members ?? []
      return {
        class: 'compound',
        size,
        members: members.map((member) => ({
          name: member.name,
          offset: member.offset,
          type: describeType(member),
        })),
      }
    }
    case 'array': {
      const base = metadata.array_type!
      return { class: 'array', size, shape: base.shape ?? [], base: describeType(base) }
    }
    case 'enum': {
      const names = metadata.enum_type?.members ?? {}
      // h5wasm gives an enum's base class in enum_type.type and its size, sign and order on the enum itself.
      const base = describeType({ ...metadata, type: metadata.enum_type?.type ?? 0 })
      return { class: 'enum', size, base, names }
    }
    default:
      return { class: 'other', size, name: CLASS_NAMES[metadata.type] ?? `class ${metadata.type}` }
  }
}

/** A short text form of a type for messages and listings: `<f8`, `>i4`, `S12`, `{ra: <f8, ...}`. */
export function typeName(type: Hdf5Type): string {
  switch (type.class) {
    case 'integer':
      return `${type.littleEndian ? '<' : '>'}${type.signed ? 'i' : 'u'}${type.size}`
    case 'float':
      return `${type.littleEndian ? '<' : '>'}f${type.size}`
    case 'string':
      return `${type.variable ? 'vlen ' : `S${type.size} `}${type.charset}`
    case 'compound':
      return `{${type.members.map((member) => `${member.name}: ${typeName(member.type)}`).join(', ')}}`
    case 'array':
      return `${typeName(type.base)}[${type.shape.join(',')}]`
    case 'enum':
      return `enum ${typeName(type.base)}`
    default:
      return type.name
  }
}

/**
 * Filters the HDF5 library in h5wasm decodes (H5Zpublic.h: deflate 1, shuffle 2, fletcher32 3, szip 4,
 * nbit 5, scaleoffset 6). For any other filter (LZF 32000, blosc 32001, bitshuffle 32008, zstd 32015, ...)
 * h5wasm hands back zeros or garbage without an exception, so such datasets are refused.
 */
export const DECODABLE_FILTERS: ReadonlyMap<number, string> = new Map([
  [1, 'deflate'],
  [2, 'shuffle'],
  [3, 'fletcher32'],
  [4, 'szip'],
  [5, 'nbit'],
  [6, 'scaleoffset'],
])

export interface Hdf5Filter {
  id: number
  name: string
  /** Client data (the filter's parameters, e.g. the deflate level). */
  parameters: number[]
}
