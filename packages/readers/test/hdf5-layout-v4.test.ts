import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { lookup3 } from '../src/hdf5-layout/checksum.js'
import { bytesSource, type Hdf5Dataset, locateHdf5Datasets } from '../src/index.js'

// chunk-index.h5 (make-fixtures.py): libver='latest', so every chunked dataset has a version 4 layout
// message. Its values are np.arange in row-major order (the compound's `id` member too).
const here = dirname(fileURLToPath(import.meta.url))
const fixture = join(here, 'fixtures/hdf5-layout/chunk-index.h5')
const fresh = () => new Uint8Array(readFileSync(fixture))
const locate = (bytes: Uint8Array) => locateHdf5Datasets(bytesSource(bytes))
/** locate, with the byte ranges it read: whether one of them covered `at`. */
async function locateReading(bytes: Uint8Array, at: number): Promise<{ error: unknown; readAt: boolean }> {
  const source = bytesSource(bytes)
  let readAt = false
  const slice = source.slice.bind(source)
  source.slice = (start, end) => {
    readAt ||= start <= at && at < end
    return slice(start, end)
  }
  const error = await locateHdf5Datasets(source).catch((e: unknown) => e)
  return { error, readAt }
}

const LISTED = [
  '/single', // single chunk
  '/implicit', // implicit index (chunks allocated early)
  '/fixed/grid', // fixed array, 2-D with edge chunks
  '/fixed/paged', // fixed array of 1050 chunks: two pages
  '/fixed/room', // fixed array with room for 10 chunks, 5 written
  '/extensible/series', // extensible array of 300 chunks: index, data and super blocks
  '/extensible/wide', // extensible array whose unlimited dimension is the last
  '/extensible/stars', // extensible array of a compound dataset
  '/two', // version 2 B-tree (two unlimited dimensions)
]

/** The element at byte `at` as a number (a compound's first member, an int64 `id`). */
function valueAt(view: DataView, at: number, dataset: Hdf5Dataset): number {
  const type = dataset.datatype
  if (type.class === 'compound') return Number(view.getBigInt64(at, true))
  if (type.class === 'float') return type.size === 8 ? view.getFloat64(at, true) : view.getFloat32(at, true)
  if (type.class !== 'integer') throw new Error(`no ${type.class} datasets in chunk-index.h5`)
  if (type.size === 1) return view.getUint8(at)
  if (type.size === 2) return type.signed ? view.getInt16(at, true) : view.getUint16(at, true)
  return view.getInt32(at, true)
}

/** Every element of the chunk that lies inside the dataset, compared with its row-major index. */
function checkChunk(
  view: DataView,
  dataset: Hdf5Dataset,
  chunkShape: number[],
  offsets: number[],
  at: number,
) {
  const dims = dataset.dims!
  const position = chunkShape.map(() => 0)
  const elements = chunkShape.reduce((n, d) => n * d, 1)
  let checked = 0
  for (let i = 0; i < elements; i++) {
    const global = position.map((p, d) => offsets[d]! + p)
    if (global.every((g, d) => g < dims[d]!)) {
      // (The uint8 dataset /two holds np.arange(400) as uint8: modulo 256.)
      const linear = global.reduce((n, g, d) => n * dims[d]! + g, 0)
      const index = dataset.datatype.size === 1 ? linear % 256 : linear
      if (valueAt(view, at + i * dataset.datatype.size, dataset) !== index)
        throw new Error(`${dataset.path}: element ${global} of the chunk at ${offsets} is not ${index}`)
      checked++
    }
    for (let d = position.length - 1; d >= 0 && ++position[d]! === chunkShape[d]; d--) position[d] = 0
  }
  return checked
}

describe('layout version 4 chunk indexes', () => {
  it('lists the chunks of every index, each holding the elements h5py wrote there', async () => {
    const bytes = fresh()
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const layout = await locate(bytes)
    const listed: string[] = []
    for (const dataset of layout.datasets) {
      if (dataset.storage.kind !== 'chunked') throw new Error(`${dataset.path} is ${dataset.storage.kind}`)
      const chunks = dataset.storage.chunks
      if (!chunks) continue
      listed.push(dataset.path)
      const elements = dataset.dims!.reduce((n, d) => n * d, 1)
      // The chunk shape: each chunk's size over the element size, spread as the offsets step.
      const steps = dataset.dims!.map((_, d) =>
        Math.min(...chunks.map((c) => c.offsets[d]!).filter((o) => o > 0)),
      )
      const chunkShape = steps.map((s, d) => (Number.isFinite(s) ? s : dataset.dims![d]!))
      expect(
        chunkShape.reduce((n, d) => n * d, dataset.datatype.size),
        dataset.path,
      ).toBe(chunks[0]!.size)
      let checked = 0
      for (const chunk of chunks)
        checked += checkChunk(view, dataset, chunkShape, chunk.offsets, chunk.address)
      expect(checked, dataset.path).toBe(elements)
    }
    expect(listed.sort()).toEqual([...LISTED].sort())
    // Not listed: chunks 0-8 of /extensible/sparse were never written (only its last chunk holds values).
    const unlisted = layout.datasets.filter((d) => !listed.includes(d.path))
    expect(unlisted.map((d) => [d.path, d.storage])).toEqual([['/extensible/sparse', { kind: 'chunked' }]])
  })
})

/** Where each `signature` starts in the file. */
function find(bytes: Uint8Array, signature: string): number[] {
  const places: number[] = []
  const text = Buffer.from(bytes)
  for (let at = text.indexOf(signature); at >= 0; at = text.indexOf(signature, at + 1)) places.push(at)
  return places
}

const u64 = (bytes: Uint8Array, at: number) => Number(Buffer.from(bytes).readBigUInt64LE(at))
const setU64 = (bytes: Uint8Array, at: number, value: number | bigint) =>
  new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(at, BigInt(value), true)

/** Writes the lookup3 checksum of bytes [start, end) at `end`: a change that passes the checksum. */
function resign(bytes: Uint8Array, start: number, end: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(end, lookup3(bytes.subarray(start, end)), true)
}

// Block sizes with 8-byte offsets and lengths (HDF5 File Format Specification, section VII).
const FAHD_BYTES = 6 + 2 + 8 + 8 // then the checksum
const EAHD_BYTES = 6 + 6 + 6 * 8 + 8
const EAIB_SERIES_BYTES = 6 + 8 + (4 + 6 + 25) * 8 // 4 elements, 6 data blocks, 25 super blocks

/** The structures of /fixed/paged (1050 chunks), /fixed/grid (12) and /extensible/series (300). */
function structures(bytes: Uint8Array) {
  const fixedHeader = (entries: number) => find(bytes, 'FAHD').find((at) => u64(bytes, at + 8) === entries)!
  const paged = fixedHeader(1050)
  const grid = fixedHeader(12)
  const series = find(bytes, 'EAHD').find((at) => u64(bytes, at + 12 + 4 * 8) === 300)!
  const seriesIndex = u64(bytes, series + 12 + 6 * 8)
  return {
    paged,
    pagedData: u64(bytes, paged + 16),
    grid,
    gridData: u64(bytes, grid + 16),
    series,
    seriesIndex,
    seriesSuper: find(bytes, 'EASB').find((at) => u64(bytes, at + 6) === series)!,
    seriesData: find(bytes, 'EADB').find((at) => u64(bytes, at + 6) === series)!,
  }
}

describe('layout version 4 chunk indexes, damaged', () => {
  it('finds the structures it damages', () => {
    const bytes = fresh()
    const s = structures(bytes)
    for (const at of [s.paged, s.grid, s.series, s.seriesSuper, s.seriesData]) expect(at).toBeGreaterThan(0)
    expect(Buffer.from(bytes.subarray(s.pagedData, s.pagedData + 4)).toString()).toBe('FADB')
    expect(Buffer.from(bytes.subarray(s.seriesIndex, s.seriesIndex + 4)).toString()).toBe('EAIB')
  })

  it('a block without its signature is BAD_MAGIC', async () => {
    for (const pick of ['paged', 'gridData', 'series', 'seriesIndex', 'seriesSuper', 'seriesData'] as const) {
      const bytes = fresh()
      bytes[structures(bytes)[pick] + 1]! ^= 0x20
      await expect(locate(bytes), pick).rejects.toMatchObject({ code: 'BAD_MAGIC' })
    }
  })

  it('a changed byte in any block or page fails its checksum', async () => {
    const places = (s: ReturnType<typeof structures>) => [
      s.paged + 9,
      s.gridData + 20,
      s.pagedData + 6 + 8 + 1 + 4 + 3, // in the first page, after the paged data block's prefix
      s.series + 30,
      s.seriesIndex + 40,
      s.seriesSuper + 20,
      s.seriesData + 20,
    ]
    for (let i = 0; i < places(structures(fresh())).length; i++) {
      const bytes = fresh()
      bytes[places(structures(bytes))[i]!]! ^= 1
      await expect(locate(bytes), `place ${i}`).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' })
    }
  })

  it('a fixed array of 2^40 elements where the dataset has 1050 chunks is CORRUPT_CHUNK', async () => {
    const bytes = fresh()
    const { paged } = structures(bytes)
    setU64(bytes, paged + 8, 2 ** 40)
    resign(bytes, paged, paged + FAHD_BYTES)
    await expect(locate(bytes)).rejects.toMatchObject({ code: 'CORRUPT_CHUNK' })
  })

  it('a dataset of 2^40 elements in chunks of 2 is LIMIT_EXCEEDED before its index is read', async () => {
    const bytes = fresh()
    // /fixed/paged's dataspace message: version 2, rank 1, maximum given, simple; 2100 and 2100.
    const message = Buffer.from(bytes).indexOf(Buffer.from([2, 1, 1, 1, 0x34, 8, 0, 0, 0, 0, 0, 0, 0x34, 8]))
    expect(message).toBeGreaterThan(0)
    setU64(bytes, message + 4, 2 ** 40)
    setU64(bytes, message + 12, 2 ** 40)
    resignObjectHeader(
      bytes,
      find(bytes, 'OHDR')
        .filter((at) => at < message)
        .pop()!,
    )
    const { error, readAt } = await locateReading(bytes, structures(fresh()).paged)
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED' })
    expect(readAt).toBe(false) // the fixed array's header was never read, as it is in an intact file:
    expect((await locateReading(fresh(), structures(fresh()).paged)).readAt).toBe(true)
  })

  it('a chunk address beyond the end of the file is TRUNCATED', async () => {
    const bytes = fresh()
    const { gridData } = structures(bytes)
    setU64(bytes, gridData + 14, bytes.byteLength - 100) // the first chunk of 512 bytes
    resign(bytes, gridData, gridData + 14 + 12 * 8)
    await expect(locate(bytes)).rejects.toMatchObject({ code: 'TRUNCATED' })
    const other = fresh()
    const { seriesIndex } = structures(other)
    setU64(other, seriesIndex + 14, 2 ** 40) // the index block's first element
    resign(other, seriesIndex, seriesIndex + EAIB_SERIES_BYTES)
    await expect(locate(other)).rejects.toMatchObject({ code: 'TRUNCATED' })
  })

  it('a super block address pointing back at the index block is BAD_MAGIC, not a loop', async () => {
    const bytes = fresh()
    const { seriesIndex } = structures(bytes)
    setU64(bytes, seriesIndex + 14 + 10 * 8, seriesIndex) // the first super block address
    resign(bytes, seriesIndex, seriesIndex + EAIB_SERIES_BYTES)
    await expect(locate(bytes)).rejects.toMatchObject({ code: 'BAD_MAGIC' })
  })

  it('extensible array parameters that make no array (data blocks of 0 or 3 elements) are CORRUPT_CHUNK', async () => {
    for (const elements of [0, 3]) {
      const bytes = fresh()
      const { series } = structures(bytes)
      bytes[series + 9] = elements // data block elements, after element size, bits and index elements
      resign(bytes, series, series + EAHD_BYTES)
      await expect(locate(bytes)).rejects.toMatchObject({ code: 'CORRUPT_CHUNK' })
    }
  })

  it('a page or a data block never written leaves that dataset unlisted, and the others listed', async () => {
    const bytes = fresh()
    const { pagedData } = structures(bytes)
    expect(bytes[pagedData + 14]).toBe(0b1100_0000) // both pages written
    bytes[pagedData + 14] = 0b1000_0000
    resign(bytes, pagedData, pagedData + 15)
    const other = fresh()
    const { seriesIndex } = structures(other)
    setU64(other, seriesIndex + 14 + 4 * 8 + 8, 2n ** 64n - 1n) // the second data block: undefined
    resign(other, seriesIndex, seriesIndex + EAIB_SERIES_BYTES)
    for (const [damaged, path] of [
      [bytes, '/fixed/paged'],
      [other, '/extensible/series'],
    ] as const) {
      const { datasets } = await locate(damaged)
      const listed = datasets
        .filter((d) => d.storage.kind === 'chunked' && d.storage.chunks)
        .map((d) => d.path)
      expect(listed.sort()).toEqual(LISTED.filter((p) => p !== path).sort())
    }
  })
})

describe('version 2 B-tree chunk index (/two), damaged', () => {
  const tree = (bytes: Uint8Array) => {
    const header = find(bytes, 'BTHD').find((at) => bytes[at + 5] === 10)!
    return { header, leaf: u64(bytes, header + 16) }
  }
  const HEADER_BYTES = 6 + 4 + 2 + 2 + 2 + 8 + 2 + 8
  const LEAF_BYTES = 6 + 9 * 24 // 9 records: address and two 8-byte offsets

  it('a changed byte fails the checksum; a leaf without its signature is BAD_MAGIC', async () => {
    const bytes = fresh()
    bytes[tree(bytes).header + 12]! ^= 1
    await expect(locate(bytes)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' })
    const other = fresh()
    other[tree(other).leaf]! ^= 1
    await expect(locate(other)).rejects.toMatchObject({ code: 'BAD_MAGIC' })
  })

  it('a header claiming 2^40 records is LIMIT_EXCEEDED before any node is read', async () => {
    const bytes = fresh()
    const { header } = tree(bytes)
    setU64(bytes, header + 26, 2 ** 40)
    resign(bytes, header, header + HEADER_BYTES)
    const { error, readAt } = await locateReading(bytes, tree(fresh()).leaf)
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED' })
    expect(readAt).toBe(false) // no node was read, as the leaf is in an intact file:
    expect((await locateReading(fresh(), tree(fresh()).leaf)).readAt).toBe(true)
  })

  it('a chunk recorded twice is CORRUPT_CHUNK', async () => {
    const bytes = fresh()
    const { leaf } = tree(bytes)
    bytes.copyWithin(leaf + 6 + 24 + 8, leaf + 6 + 8, leaf + 6 + 24) // record 1 gets record 0's offsets
    resign(bytes, leaf, leaf + LEAF_BYTES)
    await expect(locate(bytes)).rejects.toMatchObject({ code: 'CORRUPT_CHUNK' })
  })
})

/** Recomputes the checksum of the version 2 object header (first chunk) starting at `at`. */
function resignObjectHeader(bytes: Uint8Array, at: number): void {
  const flags = bytes[at + 5]!
  let prefix = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0)
  const width = 1 << (flags & 3)
  let size = 0
  for (let i = width - 1; i >= 0; i--) size = size * 256 + bytes[at + prefix + i]!
  prefix += width
  resign(bytes, at, at + prefix + size)
}
