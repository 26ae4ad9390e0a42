import { createSha256, loadCodec } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
import {
  type ColumnRef,
  columnChunkIndexes,
  columnStorage,
  columnValues,
  fromBytes,
  locateColumn,
  type ManifestTable,
  openPackage,
  PackageWriter,
  readColumn,
  splitRows,
} from '../src/index.js'
import { testManifest } from './helpers.js'

/**
 * The two shapes of HDF5 table (SPEC §7.3) on a package written by hand: a compound whose members are
 * padded (offsets given by `fieldOffset`) stored as rows, and 1-D datasets in plain chunks of 7 bytes, so
 * that float64 values straddle chunks.
 */
const ROWS = 10
const HEAD = 16
/** Compound rows of 8 bytes: a |i1 at 0, a padding byte, b >i2 at 2, c <f4 at 4. */
const COMPOUND = [
  { offset: 0, width: 1 },
  { offset: 1, width: 1 },
  { offset: 2, width: 2 },
  { offset: 4, width: 4 },
]
const DATASET_F8 = HEAD + ROWS * 8 // >f8
const DATASET_U1 = DATASET_F8 + ROWS * 8 // |u1

function file(): Uint8Array {
  const bytes = new Uint8Array(DATASET_U1 + ROWS)
  const view = new DataView(bytes.buffer)
  for (let r = 0; r < ROWS; r++) {
    view.setInt8(HEAD + r * 8, r - 5)
    view.setUint8(HEAD + r * 8 + 1, 0xee) // padding
    view.setInt16(HEAD + r * 8 + 2, 1000 * r - 3000)
    view.setFloat32(HEAD + r * 8 + 4, r / 4, true)
    view.setFloat64(DATASET_F8 + r * 8, r * 1.5 - 2)
    view.setUint8(DATASET_U1 + r, 200 + r)
  }
  return bytes
}

async function writePackage(tables: Omit<ManifestTable, 'entry'>[]): Promise<Uint8Array> {
  const zstd = await loadCodec('zstd')
  const parts: Uint8Array[] = []
  const writer = new PackageWriter({ write: async (b) => void parts.push(b.slice()) })
  const bytes = file()
  const hash = createSha256()
  hash.update(bytes)
  const chunk = (raw: Uint8Array) =>
    writer.writeChunk({ stored: zstd.encode(raw), rawSize: raw.byteLength, codec: 'zstd' })
  writer.beginFile({ path: 't.h5', mode: 0o644, mtimeMs: 0 })
  writer.beginSegment({ layout: 'bytes' })
  await chunk(bytes.subarray(0, HEAD))
  writer.beginSegment({ layout: 'rows', rowWidth: 8, rowCount: ROWS, rowsPerGroup: 4, columns: COMPOUND })
  for (let first = 0; first < ROWS; first += 4) {
    const group = bytes.subarray(HEAD + first * 8, HEAD + Math.min(ROWS, first + 4) * 8)
    for (const column of splitRows(group, 8, COMPOUND)) await chunk(column)
  }
  writer.beginSegment({ layout: 'bytes' })
  for (let at = DATASET_F8; at < bytes.byteLength; at += 7) await chunk(bytes.subarray(at, at + 7))
  writer.endFile(hash.digestHex())
  await writer.finish({ ...testManifest(), tables: tables.map((table) => ({ entry: 't.h5', ...table })) })
  return new Uint8Array(Buffer.concat(parts))
}

const compound = (withOffsets: boolean): Omit<ManifestTable, 'entry'> => ({
  name: '/rows',
  source: 'hdf5',
  rows: ROWS,
  dataOffset: HEAD,
  columns: [
    { name: 'a', type: '|i1', ...(withOffsets ? { fieldOffset: 0 } : {}) },
    { name: 'b', type: '>i2', ...(withOffsets ? { fieldOffset: 2 } : {}) },
    { name: 'c', type: '<f4', ...(withOffsets ? { fieldOffset: 4 } : {}) },
  ],
})
const group: Omit<ManifestTable, 'entry'> = {
  name: '/group',
  source: 'hdf5',
  rows: ROWS,
  dataOffset: DATASET_F8,
  columns: [
    { name: 'x', type: '>f8', dataOffset: DATASET_F8 },
    { name: 'n', type: '|u1', dataOffset: DATASET_U1 },
  ],
}
const range = (f: (r: number) => number) => Array.from({ length: ROWS }, (_, r) => f(r))

describe('HDF5 tables in a hand-written package', () => {
  it('reads compound members where their fieldOffset puts them, past the padding', async () => {
    const reader = await openPackage(fromBytes(await writePackage([compound(true), group])))
    const ref = (column: string): ColumnRef => ({ entry: 't.h5', table: '/rows', column })
    expect(await columnValues(reader, ref('a'))).toEqual(range((r) => r - 5))
    expect(await columnValues(reader, ref('b'))).toEqual(range((r) => 1000 * r - 3000))
    expect(await columnValues(reader, ref('c'))).toEqual(range((r) => r / 4))
    expect(await columnValues(reader, { ...ref('b'), rows: [5, 7] })).toEqual([2000, 3000])
  })

  it("reads a compound table that ends before its segment (a chunked dataset's padded last chunk)", async () => {
    const reader = await openPackage(fromBytes(await writePackage([{ ...compound(true), rows: 7 }])))
    const ref = { entry: 't.h5', table: '/rows', column: 'b' }
    expect(locateColumn(reader, ref).rowCount).toBe(7)
    expect(await columnValues(reader, ref)).toEqual(range((r) => 1000 * r - 3000).slice(0, 7))
    await expect(columnValues(reader, { ...ref, rows: [5, 8] })).rejects.toMatchObject({ code: 'USAGE' })
    // More rows than the segment holds, or fewer in a FITS table (whose rows fill its segment): refused.
    for (const table of [
      { ...compound(true), rows: ROWS + 1 },
      { ...compound(true), source: 'fits', rows: 7 },
    ]) {
      const damaged = await openPackage(fromBytes(await writePackage([table])))
      expect(() => locateColumn(damaged, ref), table.source).toThrow(
        expect.objectContaining({ code: 'BAD_MANIFEST' }),
      )
    }
  })

  it('refuses segments that do not hold the table: another start, a missing one, several for FITS', async () => {
    const ref = { entry: 't.h5', table: '/rows', column: 'b' }
    const single = await openPackage(fromBytes(await writePackage([{ ...compound(true), segments: [HEAD] }])))
    expect(await columnValues(single, ref)).toEqual(range((r) => 1000 * r - 3000))
    for (const segments of [[DATASET_F8], [HEAD, 999]]) {
      const reader = await openPackage(fromBytes(await writePackage([{ ...compound(true), segments }])))
      expect(() => locateColumn(reader, ref), String(segments)).toThrow(
        expect.objectContaining({ code: 'BAD_MANIFEST' }),
      )
    }
    const fits = { ...compound(true), source: 'fits', segments: [HEAD, HEAD] }
    const reader = await openPackage(fromBytes(await writePackage([fits])))
    expect(() => locateColumn(reader, ref)).toThrow(expect.objectContaining({ code: 'BAD_MANIFEST' }))
  })

  it('refuses a padded compound without fieldOffset (packed order would read the padding)', async () => {
    const reader = await openPackage(fromBytes(await writePackage([compound(false)])))
    await expect(columnValues(reader, { entry: 't.h5', column: 'b' })).rejects.toMatchObject({
      code: 'BAD_MANIFEST',
    })
  })

  it('reads columns stored on their own from the chunks holding their bytes, values cut in two included', async () => {
    const reader = await openPackage(fromBytes(await writePackage([compound(true), group])))
    const x = { entry: 't.h5', column: 'x' }
    expect(await columnValues(reader, x)).toEqual(range((r) => r * 1.5 - 2))
    expect(await columnValues(reader, { entry: 't.h5', column: 'n' })).toEqual(range((r) => 200 + r))
    // Rows 3 and 4 of x are bytes 24-40 of the dataset: chunks 3 to 5 of its 7-byte chunks.
    const location = locateColumn(reader, x)
    const first = reader.entry('t.h5').firstChunk + 1 + 3 * 4 // after the head and the compound's chunks
    expect(columnChunkIndexes(location, [3, 5])).toEqual([first + 3, first + 4, first + 5])
    expect(await columnValues(reader, { ...x, rows: [3, 5] })).toEqual([2.5, 4])
    const pieces = []
    for await (const piece of readColumn(reader, { ...x, rows: [3, 5] })) pieces.push(piece)
    expect(pieces.map((p) => [p.firstRow, p.rowCount])).toEqual([
      [3, 1],
      [4, 1],
    ])
  })

  it("says where a column's bytes went: a member's chunks, a dataset's chunks shared with the next one", async () => {
    const reader = await openPackage(fromBytes(await writePackage([compound(true), group])))
    // b: one chunk a group of 4 rows (3 groups), its own.
    expect(columnStorage(reader, { entry: 't.h5', table: '/rows', column: 'b' })).toMatchObject({
      chunks: 3,
      codec: 'zstd',
      shared: false,
    })
    // x: 80 bytes in 7-byte chunks from its start, the last one holding n's first 4 bytes too.
    const x = columnStorage(reader, { entry: 't.h5', column: 'x' })
    expect(x).toMatchObject({ chunks: 12, shared: true })
    const first = reader.entry('t.h5').firstChunk + 1 + 3 * 4
    expect(x.storedBytes).toBe(reader.storedBytes(Array.from({ length: 12 }, (_, i) => first + i)))
  })

  it('refuses a column whose bytes lie in a rows segment or past the file', async () => {
    for (const dataOffset of [HEAD, DATASET_U1 + 5]) {
      const bad = { ...group, columns: [{ name: 'n', type: '|u1', dataOffset }] }
      const reader = await openPackage(fromBytes(await writePackage([bad])))
      expect(() => locateColumn(reader, { entry: 't.h5', column: 'n' }), String(dataOffset)).toThrow(
        expect.objectContaining({ code: 'BAD_MANIFEST' }),
      )
    }
  })
})
