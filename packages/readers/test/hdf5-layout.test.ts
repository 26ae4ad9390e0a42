import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isAstropackError } from '@astropack/codecs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesSource, type Hdf5Datatype, type Hdf5Layout, locateHdf5Datasets } from '../src/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = join(here, 'fixtures/hdf5-layout')
const sample = join(here, '../../../fixtures/sample/tables/tycho2-07-first20000.h5')

/** What h5py said about each dataset (make-fixtures.py). */
interface Expected {
  dtype: string | [string, string, number[]?][]
  shape: number[] | null
  layout: 'contiguous' | 'chunked' | 'compact'
  filters: number
  storageSize: number
  offset?: number | null
  /** Chunked datasets: [element offsets, file offset, stored size] of each chunk (offsets null where
   *  HDF5 1.10.8 gets them wrong: see make-fixtures.py), the chunk shape and the maximum shape. */
  chunks?: [number[] | null, number, number][]
  chunkShape?: number[]
  maxshape?: (number | null)[]
  itemsize?: number
  offsets?: Record<string, number>
}
const expected: Record<string, Record<string, Expected>> = JSON.parse(
  readFileSync(join(fixtures, 'expected.json'), 'utf8'),
)

function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(name.startsWith('tycho2') ? sample : join(fixtures, name)))
}

/** numpy's dtype string for a numeric or string datatype (`<f8`, `>i4`, `|u1`, `|S6`). */
function numpyType(type: Hdf5Datatype): string {
  const order = type.size === 1 ? '|' : 'byteOrder' in type && type.byteOrder === 'big' ? '>' : '<'
  if (type.class === 'integer') return `${order}${type.signed ? 'i' : 'u'}${type.size}`
  if (type.class === 'float') return `${order}f${type.size}`
  if (type.class === 'string') return `|S${type.size}`
  return type.class
}

/**
 * Whether the locator lists a chunked dataset's chunks: unfiltered ones, except (in files written with
 * libver='latest', superblock 3, whose layout messages are version 4) those with chunks never written
 * inside their extent.
 */
function chunksListed(h5py: Expected, layout: Hdf5Layout): boolean {
  if (h5py.filters > 0) return false
  if (layout.superblockVersion < 3) return true
  const inExtent = h5py.shape!.reduce((n, d, i) => n * Math.ceil(d / h5py.chunkShape![i]!), 1)
  return h5py.chunks!.length === inExtent
}

describe('HDF5 dataset locator, against h5py', () => {
  const names = Object.keys(expected)

  it('has an expected JSON entry for every fixture', () => {
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.h5'))
    expect(names.sort()).toEqual([...files, 'tycho2-07-first20000.h5'].sort())
  })

  it.each(names)(
    '%s: paths, types, shapes, layouts, filters and offsets as h5py gives them',
    async (name) => {
      const layout = await locateHdf5Datasets(bytesSource(fixtureBytes(name)))
      // Skipped objects (dense groups, external data) are left out, with what lies under them.
      const skipped = layout.skipped.map((s) => s.path)
      const want = Object.entries(expected[name]!).filter(
        ([path]) => !skipped.some((object) => path === object || path.startsWith(`${object}/`)),
      )
      expect(layout.datasets.map((d) => d.path).sort()).toEqual(want.map(([path]) => path).sort())
      for (const [path, h5py] of want) {
        const dataset = layout.datasets.find((d) => d.path === path)!
        expect(dataset.dims ?? null, path).toEqual(h5py.shape)
        expect(dataset.storage.kind, path).toBe(h5py.layout)
        expect(dataset.filters, path).toBe(h5py.filters)
        if (dataset.storage.kind === 'contiguous') {
          expect(dataset.storage.offset ?? null, path).toBe(h5py.offset)
          if (h5py.offset !== null) expect(dataset.storage.size, path).toBe(h5py.storageSize)
        }
        if (dataset.storage.kind === 'chunked') {
          // Unfiltered chunks are listed as h5py gives them, in index order; filtered ones are not read.
          const chunks = dataset.storage.chunks?.map((c, i) => [
            h5py.chunks?.[i]?.[0] === null ? null : c.offsets,
            c.address,
            c.size,
          ])
          expect(chunks, path).toEqual(chunksListed(h5py, layout) ? h5py.chunks : undefined)
        }
        const type = dataset.datatype
        if (typeof h5py.dtype === 'string') expect(numpyType(type), path).toBe(h5py.dtype)
        else {
          expect(type.class).toBe('compound')
          if (type.class !== 'compound') continue
          expect(type.size).toBe(h5py.itemsize)
          expect(Object.fromEntries(type.members.map((m) => [m.name, m.offset]))).toEqual(h5py.offsets)
          const types = Object.fromEntries(type.members.map((m) => [m.name, m.type]))
          for (const [member, dtype, shape] of h5py.dtype) {
            const memberType = types[member]!
            if (shape && shape.length > 0) {
              expect(memberType).toMatchObject({ class: 'array', dims: shape })
              if (memberType.class === 'array') expect(numpyType(memberType.base)).toBe(dtype)
            } else expect(numpyType(memberType), member).toBe(dtype)
          }
        }
      }
    },
  )

  it('reads superblock v3 with v2 object headers, and a group of 20 links kept dense', async () => {
    const layout = await locateHdf5Datasets(bytesSource(fixtureBytes('latest.h5')))
    expect(layout.superblockVersion).toBe(3)
    expect(layout.skipped).toEqual([])
    const wide = layout.datasets.filter((d) => d.path.startsWith('/wide/')).map((d) => d.path)
    expect(wide).toEqual(Array.from({ length: 20 }, (_, i) => `/wide/col${String(i).padStart(2, '0')}`))
  })

  it('skips a dataset kept in an external file, saying why', async () => {
    const layout = await locateHdf5Datasets(bytesSource(fixtureBytes('external.h5')))
    expect(layout.skipped).toEqual([{ path: '/outside', reason: expect.stringContaining('external') }])
    expect(layout.datasets.map((d) => d.path)).toEqual(['/inside'])
  })

  it('finds the superblock after a 512-byte user block; offsets are absolute', async () => {
    const bytes = fixtureBytes('userblock.h5')
    const layout = await locateHdf5Datasets(bytesSource(bytes))
    expect(layout.superblockOffset).toBe(512)
    const ra = layout.datasets.find((d) => d.path === '/catalog/ra')!
    expect(ra.storage).toMatchObject({ kind: 'contiguous' })
    if (ra.storage.kind !== 'contiguous') return
    // The values are sorted right ascensions: the first and last are in [0, 360), in order.
    const view = new DataView(bytes.buffer, bytes.byteOffset + ra.storage.offset!, ra.storage.size)
    const firstValue = view.getFloat64(0, true)
    const lastValue = view.getFloat64(ra.storage.size - 8, true)
    expect(firstValue).toBeGreaterThanOrEqual(0)
    expect(lastValue).toBeLessThan(360)
    expect(firstValue).toBeLessThan(lastValue)
  })

  it('rejects a file without the signature', async () => {
    const bytes = new Uint8Array(4096).fill(7)
    await expect(locateHdf5Datasets(bytesSource(bytes))).rejects.toMatchObject({ code: 'BAD_MAGIC' })
  })
})

/** Locates; any failure must be a typed AstropackError. */
async function locateOrTypedError(bytes: Uint8Array): Promise<Hdf5Layout | undefined> {
  try {
    return await locateHdf5Datasets(bytesSource(bytes))
  } catch (error) {
    if (!isAstropackError(error)) throw error
    return undefined
  }
}

describe('HDF5 dataset locator on damaged files', () => {
  const files = [
    'default.h5',
    'latest.h5',
    'compound.h5',
    'nested.h5',
    'userblock.h5',
    'chunked.h5',
    'chunk-index.h5',
    'dense.h5',
  ]

  it.each(files)('%s cut at many points: a result or a typed error', async (name) => {
    const bytes = fixtureBytes(name)
    let failures = 0
    for (let end = 0; end < bytes.byteLength; end += end < 4096 ? 13 : 997) {
      if (!(await locateOrTypedError(bytes.subarray(0, end)))) failures++
    }
    expect(failures).toBeGreaterThan(0)
  })

  it('a changed byte in a version 2 object header or superblock fails its checksum', async () => {
    const original = fixtureBytes('latest.h5')
    const header = Buffer.from(original).indexOf('OHDR')
    expect(header).toBeGreaterThan(0)
    const inHeader = Uint8Array.from(original)
    inHeader[header + 40]! ^= 1
    await expect(locateHdf5Datasets(bytesSource(inHeader))).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    })
    const inSuperblock = Uint8Array.from(original)
    inSuperblock[11]! ^= 1 // the file consistency flags
    await expect(locateHdf5Datasets(bytesSource(inSuperblock))).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    })
  })

  it('a superblock cut short is TRUNCATED', async () => {
    const bytes = fixtureBytes('default.h5').subarray(0, 40)
    await expect(locateHdf5Datasets(bytesSource(bytes))).rejects.toMatchObject({ code: 'TRUNCATED' })
  })

  it.each(files)('%s with bytes changed in its metadata: a result or a typed error', async (name) => {
    const original = fixtureBytes(name)
    // Metadata sit in the first few KB and after the data; both are hit.
    const places = fc.oneof(fc.nat({ max: 4095 }), fc.nat({ max: original.byteLength - 1 }))
    const edit = fc.record({ at: places, byte: fc.integer({ min: 0, max: 255 }) })
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
        const bytes = Uint8Array.from(original)
        for (const { at, byte } of edits) bytes[at] = byte
        await locateOrTypedError(bytes)
      }),
      { numRuns: 300 },
    )
  })

  it('a continuation block that continues into itself is CORRUPT_CHUNK', async () => {
    const bytes = fixtureBytes('default.h5')
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    // A version 1 continuation message: type 0x10, size 16, flags 0, then address and length (8 bytes each).
    const prefix = [0x10, 0, 0x10, 0, 0, 0, 0, 0]
    let at = -1
    for (let i = 0; i < 4096 && at < 0; i++) if (prefix.every((b, k) => bytes[i + k] === b)) at = i
    expect(at).toBeGreaterThan(0)
    const block = Number(view.getBigUint64(at + 8, true))
    const length = Number(view.getBigUint64(at + 16, true))
    expect(block + length).toBeLessThanOrEqual(bytes.byteLength)
    // The block's first message becomes a continuation to the block itself.
    bytes.set(prefix, block)
    view.setBigUint64(block + 8, BigInt(block), true)
    view.setBigUint64(block + 16, BigInt(length), true)
    await expect(locateHdf5Datasets(bytesSource(bytes))).rejects.toMatchObject({ code: 'CORRUPT_CHUNK' })
  })

  it('an object header claiming 4 GiB is refused before anything that size is read', async () => {
    const bytes = fixtureBytes('nested.h5')
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    // The root object header address is in the superblock's root symbol table entry (v0: byte 64).
    const root = Number(view.getBigUint64(64, true))
    expect(bytes[root]).toBe(1)
    view.setUint32(root + 8, 0xffffffff, true)
    await expect(locateHdf5Datasets(bytesSource(bytes))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' })
  })

  /** chunked.h5 and the chunk B-tree of /series (the first node of type 1): 2 chunks, one level. */
  function seriesTree() {
    const bytes = fixtureBytes('chunked.h5')
    const node = Buffer.from(bytes).indexOf(Buffer.from('TREE\x01', 'latin1'))
    expect(node).toBeGreaterThan(0)
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    expect([bytes[node + 5], view.getUint16(node + 6, true)]).toEqual([0, 2]) // level 0, two chunks
    // Prefix 24 bytes; then key 0 (size, filter mask, two offsets: 24 bytes) and child 0.
    expect(Number(view.getBigUint64(node + 48, true))).toBe(
      expected['chunked.h5']!['/series']!.chunks![0]![1],
    )
    return { bytes, view, node }
  }

  it('a chunk B-tree node without its TREE signature is BAD_MAGIC', async () => {
    const { bytes, node } = seriesTree()
    bytes[node + 2] = 0x46
    await expect(locateHdf5Datasets(bytesSource(bytes))).rejects.toMatchObject({ code: 'BAD_MAGIC' })
  })

  it('a chunk B-tree node cut by the end of the file, or claiming more entries than it holds, is TRUNCATED', async () => {
    const { bytes, view, node } = seriesTree()
    await expect(locateHdf5Datasets(bytesSource(bytes.subarray(0, node + 40)))).rejects.toMatchObject({
      code: 'TRUNCATED',
    })
    view.setUint16(node + 6, 60000, true)
    await expect(locateHdf5Datasets(bytesSource(bytes))).rejects.toMatchObject({ code: 'TRUNCATED' })
  })

  it('a chunk B-tree node that is its own child is CORRUPT_CHUNK, not a loop', async () => {
    const { bytes, view, node } = seriesTree()
    bytes[node + 5] = 1 // an internal node, whose children are nodes
    view.setBigUint64(node + 48, BigInt(node), true)
    await expect(locateHdf5Datasets(bytesSource(bytes))).rejects.toMatchObject({ code: 'CORRUPT_CHUNK' })
  })

  it('a chunk beyond the end of the file, or not a whole raw chunk, is refused', async () => {
    const { bytes, view, node } = seriesTree()
    view.setBigUint64(node + 48, BigInt(bytes.byteLength - 100), true)
    await expect(locateHdf5Datasets(bytesSource(bytes))).rejects.toMatchObject({ code: 'TRUNCATED' })
    const { bytes: other, view: otherView, node: at } = seriesTree()
    otherView.setUint32(at + 28, 1, true) // filter mask of chunk 0: a filter skipped, in a dataset of none
    await expect(locateHdf5Datasets(bytesSource(other))).rejects.toMatchObject({ code: 'CORRUPT_CHUNK' })
  })
})
