import type { Fields } from './fields.js'

/** Byte order of a number; VAX-order floats are reported as `other`. */
export type Hdf5ByteOrder = 'little' | 'big'

/** A datatype as the datatype message describes it; classes the locator does not type are `other`. */
export type Hdf5Datatype =
  | { class: 'integer'; size: number; byteOrder: Hdf5ByteOrder; signed: boolean }
  | { class: 'float'; size: number; byteOrder: Hdf5ByteOrder }
  | { class: 'string'; size: number }
  | { class: 'compound'; size: number; members: Hdf5Member[] }
  | { class: 'array'; size: number; dims: number[]; base: Hdf5Datatype }
  /** numpy's bool as h5py writes it: a 1-byte integer enum of exactly FALSE = 0 and TRUE = 1. */
  | { class: 'bool'; size: 1 }
  /** HDF5 classes 2 (time), 4 (bitfield), 5 (opaque), 7 (reference), 8 (other enums), 9 (variable-length). */
  | { class: 'other'; size: number; typeClass: number }

export interface Hdf5Member {
  name: string
  /** Byte offset of the member within the compound element. */
  offset: number
  type: Hdf5Datatype
}

/** Dimensions of an array; HDF5's H5S_MAX_RANK. */
const MAX_RANK = 32
/** Datatypes nest (compound of array of compound...): deeper than this is no real file. */
const MAX_TYPE_DEPTH = 16

/** A dataspace's current and maximum dimensions; a maximum is undefined for an unlimited dimension. */
export interface Hdf5Dataspace {
  dims: number[]
  maxDims: (number | undefined)[]
}

/** Dataspace message: the dimensions (`[]` for a scalar), or undefined for a null dataspace (no elements). */
export function readDataspace(data: Fields): Hdf5Dataspace | undefined {
  const version = data.u8()
  const rank = data.u8()
  const flags = data.u8() // bit 0: maximum dimensions (and, in version 1, permutations) follow the dimensions
  if (rank > MAX_RANK) throw data.fail('CORRUPT_CHUNK', `a dataspace of rank ${rank}`)
  if (version === 1) data.skip(5)
  else if (version === 2) {
    const kind = data.u8()
    if (kind === 2) return undefined
    if (kind > 2) throw data.fail('CORRUPT_CHUNK', `dataspace type ${kind}`)
  } else throw data.fail('UNSUPPORTED_VERSION', `dataspace message version ${version}`)
  const dims: number[] = []
  for (let i = 0; i < rank; i++) dims.push(data.length())
  if (!(flags & 1)) return { dims, maxDims: dims }
  const maxDims: (number | undefined)[] = []
  for (let i = 0; i < rank; i++) {
    // H5S_UNLIMITED is all bits set, like the undefined address.
    const unlimited = data.bytes.subarray(data.at, data.at + data.lengthSize).every((byte) => byte === 0xff)
    if (unlimited) data.skip(data.lengthSize)
    maxDims.push(unlimited ? undefined : data.length())
  }
  return { dims, maxDims }
}

/** Compound member offsets in version 3 take as few bytes as hold the element size. */
function offsetBytes(size: number): number {
  return size < 2 ** 8 ? 1 : size < 2 ** 16 ? 2 : size < 2 ** 24 ? 3 : 4
}

/** A member or enum name: NUL-terminated, padded to a multiple of 8 bytes before version 3. */
function memberName(data: Fields, version: number): string {
  const start = data.at
  const name = data.cstring()
  if (version < 3) data.at = Math.min(data.bytes.byteLength, start + Math.ceil((data.at - start) / 8) * 8)
  return name
}

/** Datatype message (recursive for compound, array, enum and variable-length members). */
export function readDatatype(data: Fields, depth = 0): Hdf5Datatype {
  if (depth > MAX_TYPE_DEPTH)
    throw data.fail('LIMIT_EXCEEDED', `datatypes nested more than ${MAX_TYPE_DEPTH} deep`)
  const classAndVersion = data.u8()
  const typeClass = classAndVersion & 0x0f
  const version = classAndVersion >> 4
  const bits = data.take(3)
  const size = data.u32()
  if (version < 1 || version > 4) throw data.fail('UNSUPPORTED_VERSION', `datatype version ${version}`)
  switch (typeClass) {
    case 0: // fixed-point: bit offset, bit precision
      data.skip(4)
      return {
        class: 'integer',
        size,
        byteOrder: bits[0]! & 1 ? 'big' : 'little',
        signed: (bits[0]! & 8) !== 0,
      }
    case 1: {
      // floating-point: bit offset, precision, exponent and mantissa locations and sizes, exponent bias
      data.skip(12)
      const order = (bits[0]! & 1) | ((bits[0]! >> 5) & 2)
      if (order > 1) return { class: 'other', size, typeClass }
      return { class: 'float', size, byteOrder: order === 1 ? 'big' : 'little' }
    }
    case 2: // time: bit precision
      data.skip(2)
      return { class: 'other', size, typeClass }
    case 3:
      return { class: 'string', size }
    case 4: // bitfield: bit offset, bit precision
      data.skip(4)
      return { class: 'other', size, typeClass }
    case 5: // opaque: an ASCII tag whose padded length is in the class bits
      data.skip(bits[0]!)
      return { class: 'other', size, typeClass }
    case 6:
      return {
        class: 'compound',
        size,
        members: readMembers(data, bits[0]! | (bits[1]! << 8), version, size, depth),
      }
    case 7:
      return { class: 'other', size, typeClass }
    case 8: {
      // enum: base type, then every member's name, then every member's value
      const base = readDatatype(data, depth + 1)
      const count = bits[0]! | (bits[1]! << 8)
      const names: string[] = []
      for (let i = 0; i < count; i++) names.push(memberName(data, version))
      if (size === 1 && base.class === 'integer' && base.size === 1 && count === 2) {
        const values = [data.u8(), data.u8()]
        const member = (name: string) => values[names.indexOf(name)]
        if (member('FALSE') === 0 && member('TRUE') === 1) return { class: 'bool', size: 1 }
        return { class: 'other', size, typeClass }
      }
      data.skip(count * base.size)
      return { class: 'other', size, typeClass }
    }
    case 9:
      readDatatype(data, depth + 1)
      return { class: 'other', size, typeClass }
    case 10: {
      const rank = data.u8()
      if (version < 3) data.skip(3)
      const dims: number[] = []
      for (let i = 0; i < rank; i++) dims.push(data.u32())
      if (version < 3) data.skip(4 * rank) // permutation indices
      return { class: 'array', size, dims, base: readDatatype(data, depth + 1) }
    }
    default:
      throw data.fail('CORRUPT_CHUNK', `datatype class ${typeClass}`)
  }
}

function readMembers(
  data: Fields,
  count: number,
  version: number,
  size: number,
  depth: number,
): Hdf5Member[] {
  const members: Hdf5Member[] = []
  for (let i = 0; i < count; i++) {
    const name = memberName(data, version)
    if (version === 1) {
      // Version 1 members may be arrays of up to 4 dimensions described here, not by an array type.
      const offset = data.u32()
      const rank = data.u8()
      data.skip(3 + 4 + 4)
      const sizes: number[] = []
      for (let d = 0; d < 4; d++) sizes.push(data.u32())
      if (rank > 4) throw data.fail('CORRUPT_CHUNK', `a compound member of rank ${rank}`)
      const base = readDatatype(data, depth + 1)
      const dims = sizes.slice(0, rank)
      const type: Hdf5Datatype =
        rank === 0 ? base : { class: 'array', size: dims.reduce((n, d) => n * d, base.size), dims, base }
      members.push({ name, offset, type })
    } else {
      const offset = version === 2 ? data.u32() : data.uint(offsetBytes(size))
      members.push({ name, offset, type: readDatatype(data, depth + 1) })
    }
  }
  return members
}

/** How a chunked dataset finds its chunks: a layout version 3 message names a version 1 B-tree; version 4
 *  names one of five indexes (HDF5 File Format Specification, section IV.A.2.i, layout version 4). */
export type Hdf5ChunkIndexType =
  | 'btree-v1'
  | 'single'
  | 'implicit'
  | 'fixed-array'
  | 'extensible-array'
  | 'btree-v2'

const CHUNK_INDEX_TYPES = ['single', 'implicit', 'fixed-array', 'extensible-array', 'btree-v2'] as const

export interface Hdf5ChunkLayout {
  index: Hdf5ChunkIndexType
  /** The index's address (for a single chunk or an implicit index, the data's); undefined when nothing is
   *  allocated yet. Relative to the base address. */
  address: number | undefined
  /** Chunk shape in elements, one per dataset dimension. */
  chunkDims: number[]
  elementSize: number
}

export type Hdf5Storage =
  /** `address` is relative to the base address; undefined when no storage was allocated yet. */
  | { kind: 'contiguous'; address: number | undefined; size: number | undefined }
  /** Chunk layout of a version 3 or 4 message; version 1 and 2 messages give the kind alone. */
  | { kind: 'chunked'; layout?: Hdf5ChunkLayout }
  | { kind: 'compact' | 'virtual' }

/** Chunk dimensions in a layout message: libhdf5 allows 32 dataset dimensions plus the element size. */
const MAX_CHUNK_DIMENSIONALITY = 33
/** Version 4 layout flag: a single chunk's filtered size and filter mask follow the index type. */
const SINGLE_INDEX_WITH_FILTER = 0x02

/**
 * Data layout message, versions 1 to 4. Versions 1 and 2 do not store a contiguous dataset's size
 * (it is the dataspace's element count times the datatype size).
 */
export function readLayout(data: Fields): Hdf5Storage {
  const version = data.u8()
  if (version === 1 || version === 2) {
    data.skip(1) // dimensionality
    const layoutClass = data.u8()
    data.skip(5)
    if (layoutClass === 1) return { kind: 'contiguous', address: data.address(), size: undefined }
    if (layoutClass === 0 || layoutClass === 2) return { kind: layoutClass === 0 ? 'compact' : 'chunked' }
    throw data.fail('CORRUPT_CHUNK', `layout class ${layoutClass}`)
  }
  if (version !== 3 && version !== 4)
    throw data.fail('UNSUPPORTED_VERSION', `data layout message version ${version}`)
  const layoutClass = data.u8()
  if (layoutClass === 1) {
    const address = data.address()
    return { kind: 'contiguous', address, size: data.length() }
  }
  if (layoutClass === 0) return { kind: 'compact' }
  if (layoutClass === 2 && version === 3) {
    const dimensionality = data.u8()
    const address = data.address()
    const { chunkDims, elementSize } = readChunkDims(data, dimensionality, 4)
    return { kind: 'chunked', layout: { index: 'btree-v1', address, chunkDims, elementSize } }
  }
  if (layoutClass === 2) return { kind: 'chunked', layout: readChunkLayoutV4(data) }
  if (layoutClass === 3 && version === 4) return { kind: 'virtual' }
  throw data.fail('CORRUPT_CHUNK', `layout class ${layoutClass}`)
}

/** Chunk dimensions: the dataset's rank plus one, the last being the element size; none may be 0. */
function readChunkDims(data: Fields, dimensionality: number, bytes: number) {
  if (dimensionality < 2 || dimensionality > MAX_CHUNK_DIMENSIONALITY)
    throw data.fail('CORRUPT_CHUNK', `chunk dimensionality ${dimensionality}`)
  const chunkDims: number[] = []
  for (let i = 0; i < dimensionality; i++) chunkDims.push(data.uint(bytes))
  if (chunkDims.includes(0)) throw data.fail('CORRUPT_CHUNK', `chunk dimensions ${chunkDims.join(' x ')}`)
  const elementSize = chunkDims.pop()!
  return { chunkDims, elementSize }
}

/**
 * Version 4 chunked layout: flags, dimensionality, the byte width of each dimension (1 to 8), the
 * dimensions, the chunk index type and its parameters, then the index address. The parameters of the
 * fixed and extensible arrays are repeated in their headers, which is where they are read from.
 */
function readChunkLayoutV4(data: Fields): Hdf5ChunkLayout {
  const flags = data.u8()
  const dimensionality = data.u8()
  const width = data.u8()
  if (width < 1 || width > 8) throw data.fail('CORRUPT_CHUNK', `chunk dimensions of ${width} bytes`)
  const { chunkDims, elementSize } = readChunkDims(data, dimensionality, width)
  const type = data.u8()
  const index = CHUNK_INDEX_TYPES[type - 1]
  if (!index) throw data.fail('CORRUPT_CHUNK', `chunk index type ${type}`)
  if (index === 'single' && flags & SINGLE_INDEX_WITH_FILTER) data.skip(data.lengthSize + 4)
  else if (index === 'fixed-array')
    data.skip(1) // page bits
  else if (index === 'extensible-array')
    data.skip(5) // element bits, index block elements, block sizes, page bits
  else if (index === 'btree-v2') data.skip(6) // node size, split and merge percentages
  return { index, address: data.address(), chunkDims, elementSize }
}

/** Filter pipeline message: the number of filters (gzip, shuffle, ...) applied to the data. */
export function readFilterCount(data: Fields): number {
  const version = data.u8()
  if (version !== 1 && version !== 2)
    throw data.fail('UNSUPPORTED_VERSION', `filter pipeline version ${version}`)
  return data.u8()
}

/** Symbol table message: where an old-style group keeps its B-tree and local heap of names. */
export function readSymbolTable(data: Fields): { btree: number; heap: number } {
  const btree = data.address()
  const heap = data.address()
  if (btree === undefined || heap === undefined)
    throw data.fail('CORRUPT_CHUNK', 'a symbol table without addresses')
  return { btree, heap }
}

/** Link info message: where a group keeps its links when they are dense (a fractal heap of link
 *  messages and a version 2 B-tree indexing them by name); undefined for links kept as messages. */
export function readLinkInfoDense(data: Fields): { heap: number; names: number } | undefined {
  const version = data.u8()
  if (version !== 0) throw data.fail('UNSUPPORTED_VERSION', `link info message version ${version}`)
  const flags = data.u8()
  if (flags & 1) data.skip(8) // maximum creation index
  const heap = data.address()
  const names = data.address()
  if (heap === undefined) return undefined
  if (names === undefined) throw data.fail('CORRUPT_CHUNK', 'dense links without a name index')
  return { heap, names }
}

/** Link message: a named link; only hard links (to an object header address) lead to objects. */
export function readLink(data: Fields): { name: string; address: number | undefined } {
  const version = data.u8()
  if (version !== 1) throw data.fail('UNSUPPORTED_VERSION', `link message version ${version}`)
  const flags = data.u8()
  const linkType = flags & 0x08 ? data.u8() : 0
  if (flags & 0x04) data.skip(8) // creation order
  if (flags & 0x10) data.skip(1) // character set of the name
  const nameLength = data.uint(1 << (flags & 3))
  const name = new TextDecoder().decode(data.take(nameLength))
  return { name, address: linkType === 0 ? data.address() : undefined }
}
