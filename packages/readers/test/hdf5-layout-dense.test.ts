import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { lookup3 } from '../src/hdf5-layout/checksum.js'
import { bytesSource, locateHdf5Datasets } from '../src/index.js'

// dense.h5 (make-fixtures.py): /many holds 12 datasets and 400 soft links, kept dense: a fractal heap whose
// root is an indirect block over 12 direct blocks, and a version 2 B-tree of depth 1 indexing the names.
const here = dirname(fileURLToPath(import.meta.url))
const fresh = () => new Uint8Array(readFileSync(join(here, 'fixtures/hdf5-layout/dense.h5')))
const locate = (bytes: Uint8Array) => locateHdf5Datasets(bytesSource(bytes))
const COLUMNS = Array.from({ length: 12 }, (_, i) => `/many/column_${String(i).padStart(2, '0')}`)

const find = (bytes: Uint8Array, signature: string) => Buffer.from(bytes).indexOf(signature)
const u64 = (bytes: Uint8Array, at: number) => Number(Buffer.from(bytes).readBigUInt64LE(at))

/** Writes the lookup3 checksum of bytes [start, end) at `end`. */
function resign(bytes: Uint8Array, start: number, end: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(end, lookup3(bytes.subarray(start, end)), true)
}

/** The heap header, its root indirect block (rows x 4 entries) and the B-tree's first leaf. */
function structures(bytes: Uint8Array) {
  const heap = find(bytes, 'FRHP')
  const rows = bytes[heap + 140]! | (bytes[heap + 141]! << 8)
  const tree = find(bytes, 'BTHD')
  const internal = u64(bytes, tree + 16)
  // The internal node: prefix (6), 9 records of 11 bytes, then child pointers (address, 1-byte count).
  const pointers = internal + 6 + 9 * 11
  return {
    heap,
    indirect: u64(bytes, heap + 132),
    indirectBytes: 4 + 1 + 8 + 4 + rows * 4 * 8,
    direct: find(bytes, 'FHDB'),
    internal,
    leaf: u64(bytes, pointers),
    leafRecords: bytes[pointers + 8]!,
  }
}

describe('dense groups', () => {
  it('lists the datasets of a group whose links are in a fractal heap, in name order', async () => {
    const layout = await locate(fresh())
    expect(layout.skipped).toEqual([])
    expect(layout.datasets.map((d) => d.path)).toEqual(COLUMNS)
  })

  it('finds the structures it damages', () => {
    const bytes = fresh()
    const s = structures(bytes)
    expect(Buffer.from(bytes.subarray(s.indirect, s.indirect + 4)).toString()).toBe('FHIB')
    expect(Buffer.from(bytes.subarray(s.leaf, s.leaf + 4)).toString()).toBe('BTLF')
    expect(s.leafRecords).toBeGreaterThan(10)
  })

  it('a changed byte in the heap header, an indirect or direct block, or a B-tree node fails its checksum', async () => {
    for (const pick of ['heap', 'indirect', 'direct', 'internal', 'leaf'] as const) {
      const bytes = fresh()
      bytes[structures(bytes)[pick] + 24]! ^= 1
      await expect(locate(bytes), pick).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' })
    }
  })

  it('an indirect block whose first child is the heap header is BAD_MAGIC; one beyond the file TRUNCATED', async () => {
    for (const [target, code] of [
      ['heap', 'BAD_MAGIC'],
      ['end', 'TRUNCATED'],
    ] as const) {
      const bytes = fresh()
      const { heap, indirect, indirectBytes } = structures(bytes)
      const child = target === 'heap' ? heap : bytes.byteLength - 100
      new DataView(bytes.buffer).setBigUint64(indirect + 17, BigInt(child), true)
      resign(bytes, indirect, indirect + indirectBytes)
      await expect(locate(bytes), target).rejects.toMatchObject({ code })
    }
  })

  it('a heap ID running past its block is CORRUPT_CHUNK; a tiny one skips the group, saying why', async () => {
    const bytes = fresh()
    const { leaf, leafRecords } = structures(bytes)
    // The first record: hash (4), then the heap ID: type byte, offset (4 bytes), length (2 bytes).
    bytes[leaf + 6 + 4 + 5] = 0xff
    bytes[leaf + 6 + 4 + 6] = 0xff
    resign(bytes, leaf, leaf + 6 + leafRecords * 11)
    await expect(locate(bytes)).rejects.toMatchObject({ code: 'CORRUPT_CHUNK' })
    const other = fresh()
    other[leaf + 6 + 4] = 0x20 // type 2: a tiny object, kept in the ID itself
    resign(other, leaf, leaf + 6 + leafRecords * 11)
    const layout = await locate(other)
    expect(layout.skipped).toEqual([{ path: '/many', reason: expect.stringContaining('tiny') }])
    expect(layout.datasets).toEqual([])
  })
})
