import { walkBtreeV1 } from './btree-v1.js'
import { walkBtreeV2 } from './btree-v2.js'
import { readExtensibleArray } from './extensible-array.js'
import { type Fields, type Hdf5File, hdf5Error } from './fields.js'
import { readFixedArray } from './fixed-array.js'
import type { Hdf5ChunkLayout, Hdf5Dataspace } from './messages.js'

/** One chunk of a chunked dataset stored without filters: the raw elements of a whole chunk. */
export interface Hdf5Chunk {
  /** Absolute offset in the file, checked to leave `size` bytes inside it. */
  address: number
  /** Bytes: a full chunk, even at the edge of the dataset. */
  size: number
  /** Element coordinates of the chunk's first element, one per dataset dimension. */
  offsets: number[]
}

/** Chunks listed per dataset: a million chunks of 64 KiB are 64 GiB of data; bounds a crafted index. */
export const MAX_CHUNKS = 1_000_000

/**
 * The chunks of an unfiltered chunked dataset, from whichever index its layout message names, in index
 * order. Undefined when a chunk inside the dataset's extent was never written (an undefined address, or no
 * record in a version 2 B-tree): such a dataset is not listed, so that its bytes are kept as they are
 * rather than described in part.
 * Every chunk is checked to lie in the file; more than MAX_CHUNKS is LIMIT_EXCEEDED.
 */
export async function readChunks(
  file: Hdf5File,
  layout: Hdf5ChunkLayout,
  space: Hdf5Dataspace,
): Promise<Hdf5Chunk[] | undefined> {
  const { index, address, chunkDims, elementSize } = layout
  const where = file.base + (address ?? 0)
  if (chunkDims.length !== space.dims.length)
    throw hdf5Error(
      'CORRUPT_CHUNK',
      where,
      `${chunkDims.length}-D chunks of a ${space.dims.length}-D dataset`,
    )
  const size = chunkDims.reduce((n, d) => n * d, elementSize)
  if (index === 'btree-v1')
    return address === undefined ? [] : readBtreeChunks(file, address, chunkDims, size)
  const grid = chunkGrid(space, chunkDims, where)
  if (grid.inExtent === 0) return []
  if (address === undefined) return undefined // chunks inside the extent, none written
  if (index === 'btree-v2') return readBtreeV2Chunks(file, address, chunkDims, size, grid)
  if (index === 'single') {
    if (grid.inExtent !== 1)
      throw hdf5Error('CORRUPT_CHUNK', where, `a single chunk index for ${grid.inExtent} chunks`)
    return [{ address: file.absolute(address, size, 'data chunk'), size, offsets: chunkDims.map(() => 0) }]
  }
  // The arrays and the implicit index order chunks row-major over the chunks of the maximum shape, the
  // one unlimited dimension of an extensible array (wherever it is) counting slowest.
  const unlimited = space.maxDims.indexOf(undefined)
  const order = chunkDims.map((_, d) => d)
  if (unlimited > 0) order.unshift(...order.splice(unlimited, 1))
  const { slots } = grid
  let addresses: (number | undefined)[]
  if (index === 'implicit') {
    if (unlimited >= 0)
      throw hdf5Error('CORRUPT_CHUNK', where, 'an implicit chunk index of an unlimited dataset')
    // Every chunk of the maximum shape is allocated at once, one after another.
    file.absolute(address, slots * size, 'implicitly indexed chunks')
    addresses = Array.from({ length: slots }, (_, i) => address + i * size)
  } else if (index === 'fixed-array') {
    if (unlimited >= 0) throw hdf5Error('CORRUPT_CHUNK', where, 'a fixed array index of an unlimited dataset')
    addresses = await readFixedArray(file, address, slots)
  } else {
    if (unlimited < 0 || space.maxDims.lastIndexOf(undefined) !== unlimited)
      throw hdf5Error('CORRUPT_CHUNK', where, 'an extensible array index without one unlimited dimension')
    addresses = await readExtensibleArray(file, address, slots)
  }
  const chunks: Hdf5Chunk[] = []
  const scaled = new Array<number>(chunkDims.length)
  for (let i = 0; i < addresses.length; i++) {
    let rest = i
    for (let k = order.length - 1; k > 0; k--) {
      const d = order[k]!
      scaled[d] = rest % grid.maxCounts[d]!
      rest = Math.floor(rest / grid.maxCounts[d]!)
    }
    scaled[order[0]!] = rest
    // A slot outside the current extent (room left by a larger maximum shape) holds no element.
    if (scaled.some((s, d) => s >= grid.counts[d]!)) continue
    const chunk = addresses[i]
    if (chunk === undefined) return undefined
    const offsets = scaled.map((s, d) => s * chunkDims[d]!)
    chunks.push({ address: file.absolute(chunk, size, 'data chunk'), size, offsets })
  }
  return chunks
}

/**
 * Chunks per dimension of the current shape (`counts`) and of the maximum shape (`maxCounts`, the current
 * count for an unlimited dimension); `inExtent` chunks hold the dataset's elements, and the index has
 * `slots` entries (the product of `maxCounts`). Either beyond MAX_CHUNKS is LIMIT_EXCEEDED.
 */
function chunkGrid(space: Hdf5Dataspace, chunkDims: number[], where: number) {
  const counts = space.dims.map((n, d) => Math.ceil(n / chunkDims[d]!))
  const maxCounts = space.maxDims.map((n, d) => (n === undefined ? counts[d]! : Math.ceil(n / chunkDims[d]!)))
  if (maxCounts.some((n, d) => n < counts[d]!))
    throw hdf5Error('CORRUPT_CHUNK', where, 'a dimension beyond its maximum')
  const product = (numbers: number[]) =>
    numbers.reduce((total, n) => {
      const next = total * n
      if (next > MAX_CHUNKS)
        throw hdf5Error('LIMIT_EXCEEDED', where, `more than ${MAX_CHUNKS} chunks in a dataset`)
      return next
    }, 1)
  const inExtent = product(counts)
  return { counts, maxCounts, inExtent, slots: inExtent === 0 ? 0 : product(maxCounts) }
}

/**
 * The chunks of a version 2 B-tree (records of type 10: address, then each dimension's offset in chunks,
 * 8 bytes each), listed only when every chunk of the extent is there, once.
 */
async function readBtreeV2Chunks(
  file: Hdf5File,
  address: number,
  chunkDims: number[],
  size: number,
  grid: ReturnType<typeof chunkGrid>,
): Promise<Hdf5Chunk[] | undefined> {
  const chunks: Hdf5Chunk[] = []
  const seen = new Set<number>()
  const record = (fields: Fields) => {
    const chunk = fields.address()
    const scaled = chunkDims.map(() => fields.uint(8))
    if (chunk === undefined) throw fields.fail('CORRUPT_CHUNK', 'a chunk record without an address')
    if (scaled.some((s, d) => s >= grid.counts[d]!)) return // outside the extent: no element there
    const key = scaled.reduce((n, s, d) => n * grid.counts[d]! + s, 0)
    if (seen.has(key)) throw fields.fail('CORRUPT_CHUNK', `the chunk at ${scaled} recorded twice`)
    seen.add(key)
    const offsets = scaled.map((s, d) => s * chunkDims[d]!)
    chunks.push({ address: file.absolute(chunk, size, 'data chunk'), size, offsets })
  }
  await walkBtreeV2(file, address, 10, record, MAX_CHUNKS)
  return chunks.length === grid.inExtent ? chunks : undefined
}

/**
 * The chunks of a version 1 B-tree (node type 1). Each key is the chunk's stored size (4 bytes), filter
 * mask (4) and one 8-byte offset per chunk dimension, the last of which is the element size's (always 0).
 * A chunk that is not a whole chunk of raw bytes is CORRUPT_CHUNK.
 */
async function readBtreeChunks(
  file: Hdf5File,
  btree: number,
  chunkDims: number[],
  chunkBytes: number,
): Promise<Hdf5Chunk[]> {
  const chunks: Hdf5Chunk[] = []
  const keySize = 8 + 8 * (chunkDims.length + 1)
  await walkBtreeV1(file, btree, 1, keySize, (key, child) => {
    if (chunks.length >= MAX_CHUNKS)
      throw hdf5Error('LIMIT_EXCEEDED', key.fileOffset, `more than ${MAX_CHUNKS} chunks in a dataset`)
    const size = key.u32()
    const filterMask = key.u32()
    const offsets: number[] = []
    for (let i = 0; i < chunkDims.length; i++) offsets.push(key.uint(8))
    if (size !== chunkBytes || filterMask !== 0)
      throw key.fail(
        'CORRUPT_CHUNK',
        `a chunk of ${size} bytes (filter mask ${filterMask}) where ${chunkBytes} raw bytes belong`,
      )
    chunks.push({ address: file.absolute(child, size, 'data chunk'), size, offsets })
  })
  return chunks
}
