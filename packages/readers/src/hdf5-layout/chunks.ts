import { walkBtreeV1 } from './btree-v1.js'
import { type Hdf5File, hdf5Error } from './fields.js'

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
 * The chunks of an unfiltered dataset from its version 1 B-tree (node type 1). Each key is the chunk's
 * stored size (4 bytes), filter mask (4) and one 8-byte offset per chunk dimension, the last of which is
 * the element size's (always 0). A chunk that is not a whole chunk of raw bytes, or lies outside the
 * file, is CORRUPT_CHUNK or TRUNCATED; more than MAX_CHUNKS is LIMIT_EXCEEDED.
 */
export async function readChunks(
  file: Hdf5File,
  btree: number,
  chunkDims: number[],
  elementSize: number,
): Promise<Hdf5Chunk[]> {
  const chunkBytes = chunkDims.reduce((n, d) => n * d, elementSize)
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
