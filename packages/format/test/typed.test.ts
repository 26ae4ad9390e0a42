import { createHash } from 'node:crypto'
import { applyTransforms, createSha256, loadCodec, type TransformStep } from '@astropack/codecs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FEATURE_COLUMN_MAJOR_ROWS,
  FEATURE_DELTA_ZIGZAG,
  FEATURE_SPLIT_DELTA,
  fromBytes,
  openPackage,
  PackageWriter,
  splitRows,
  verifyPackage,
} from '../src/index.js'
import { sameBytes, testManifest } from './helpers.js'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

interface Table {
  head: Uint8Array
  rowWidth: number
  columns: { offset: number; width: number }[]
  rows: Uint8Array
  tail: Uint8Array
}

/** A file made of a header, a table of fixed-width rows, and trailing bytes: a FITS BINTABLE's shape. */
const table: fc.Arbitrary<Table> = fc
  .array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 })
  .chain((widths) => {
    const rowWidth = widths.reduce((a, b) => a + b, 0)
    let offset = 0
    const columns = widths.map((width) => {
      const column = { offset, width }
      offset += width
      return column
    })
    return fc.record({
      head: fc.uint8Array({ maxLength: 300 }),
      rowWidth: fc.constant(rowWidth),
      columns: fc.constant(columns),
      rows: fc
        .integer({ min: 0, max: 400 })
        .chain((n) => fc.uint8Array({ minLength: n * rowWidth, maxLength: n * rowWidth })),
      tail: fc.uint8Array({ maxLength: 300 }),
    })
  })

const chain: fc.Arbitrary<TransformStep[]> = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constantFrom('shuffle', 'xor', 'delta-be', 'delta-le'),
      width: fc.constantFrom(1, 2, 4, 8),
    }),
    // The lag travels in the step's parameter byte (SPEC §7.1).
    fc.record({
      op: fc.constantFrom('delta-zigzag-be', 'delta-zigzag-le'),
      width: fc.constantFrom(1, 2, 4, 8),
      lag: fc.integer({ min: 2, max: 12 }),
    }),
  ),
  { maxLength: 2 },
) as fc.Arbitrary<TransformStep[]>

/**
 * Writes the table as a file (its rows as they are, or `columnMajor`: column after column, as HDF5
 * datasets side by side) and packs it with a rows segment.
 */
async function writeTable(
  t: Table,
  rowsPerGroup: number,
  chains: TransformStep[][],
  columnMajor = false,
): Promise<{ bytes: Uint8Array; file: Uint8Array }> {
  const zstd = await loadCodec('zstd')
  const parts: Uint8Array[] = []
  const writer = new PackageWriter({ write: async (b) => void parts.push(b.slice()) })
  const body = columnMajor ? Buffer.concat(splitRows(t.rows, t.rowWidth, t.columns)) : t.rows
  const file = new Uint8Array([...t.head, ...body, ...t.tail])
  const hash = createSha256()
  hash.update(file)
  writer.beginFile({ path: 'table.fits', mode: 0o644, mtimeMs: 0 })
  const plain = async (bytes: Uint8Array) => {
    if (bytes.byteLength)
      await writer.writeChunk({ stored: zstd.encode(bytes), rawSize: bytes.byteLength, codec: 'zstd' })
  }
  await plain(t.head)
  const rowCount = t.rows.byteLength / t.rowWidth
  if (rowCount > 0) {
    const layout = {
      layout: 'rows' as const,
      rowWidth: t.rowWidth,
      rowCount,
      rowsPerGroup,
      columns: t.columns,
    }
    writer.beginSegment(columnMajor ? { ...layout, columnMajor } : layout)
    for (let first = 0; first < rowCount; first += rowsPerGroup) {
      const group = t.rows.subarray(first * t.rowWidth, Math.min(rowCount, first + rowsPerGroup) * t.rowWidth)
      for (const [c, column] of splitRows(group, t.rowWidth, t.columns).entries()) {
        const transforms = chains[c % chains.length] ?? []
        const stored = zstd.encode(applyTransforms(transforms, column))
        await writer.writeChunk({ stored, rawSize: column.byteLength, codec: 'zstd', transforms })
      }
    }
    writer.beginSegment({ layout: 'bytes' })
  }
  await plain(t.tail)
  writer.endFile(hash.digestHex())
  await writer.finish(testManifest())
  return { bytes: new Uint8Array(Buffer.concat(parts)), file }
}

describe('typed segments: tables stored column by column', () => {
  it('rebuild the original bytes exactly, for any table, grouping and transform chains', async () => {
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.integer({ min: 1, max: 150 }),
        fc.array(chain, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (t, rowsPerGroup, chains, columnMajor) => {
          const { bytes, file } = await writeTable(t, rowsPerGroup, chains, columnMajor)
          const reader = await openPackage(fromBytes(bytes))
          expect(sameBytes(await reader.readEntry('table.fits'), file)).toBe(true)
          expect(reader.entry('table.fits').sha256).toBe(sha256(file))
          expect((await verifyPackage(fromBytes(bytes), { full: true })).problems).toEqual([])
          const typed = t.rows.byteLength > 0
          expect(reader.trailer.requiredFeatures).toBe(
            typed || chains.some((c) => c.length) ? reader.trailer.requiredFeatures : 0,
          )
          if (typed) expect(reader.trailer.requiredFeatures & 1).toBe(1)
          const columnMajorBit = reader.trailer.requiredFeatures & FEATURE_COLUMN_MAJOR_ROWS
          expect(columnMajorBit).toBe(typed && columnMajor ? FEATURE_COLUMN_MAJOR_ROWS : 0)
        },
      ),
      { numRuns: 150 },
    )
  }, 60_000)

  it('keep a delta-zigzag lag of 1 to 256 in the index (feature bit 7), and refuse others', async () => {
    const t: Table = {
      head: new Uint8Array(0),
      rowWidth: 12,
      columns: [{ offset: 0, width: 12 }],
      rows: new Uint8Array(12 * 50).map((_, i) => (i * 7) % 251),
      tail: new Uint8Array(0),
    }
    for (const lag of [3, 256]) {
      const step: TransformStep = { op: 'delta-zigzag-le', width: 4, lag }
      const { bytes, file } = await writeTable(t, 50, [[step]])
      const reader = await openPackage(fromBytes(bytes))
      const segment = reader.segmentsOf(reader.entry('table.fits'))!.find((s) => s.layout === 'rows')!
      expect(reader.transformsOf(reader.chunks[segment.firstChunk]!)).toEqual([step])
      expect(sameBytes(await reader.readEntry('table.fits'), file)).toBe(true)
      expect(reader.trailer.requiredFeatures & FEATURE_DELTA_ZIGZAG).toBe(FEATURE_DELTA_ZIGZAG)
    }
    for (const lag of [0, 257, 1.5])
      await expect(writeTable(t, 50, [[{ op: 'delta-zigzag-le', width: 4, lag }]])).rejects.toMatchObject({
        code: 'USAGE',
      })
  })

  it('keep a split-delta step and its low bits in the index (feature bit 12), and refuse damaged ones', async () => {
    const t: Table = {
      head: new Uint8Array(0),
      rowWidth: 16,
      columns: [
        { offset: 0, width: 8 },
        { offset: 8, width: 8 },
      ],
      rows: new Uint8Array(new Float64Array(100).map((_, i) => 200 + Math.fround(i / 7) + i * 1e-12).buffer),
      tail: new Uint8Array(0),
    }
    const step: TransformStep = { op: 'split-delta-le', width: 8, lowBits: 29 }
    const { bytes, file } = await writeTable(t, 30, [[step, { op: 'bitshuffle', width: 8 }], []])
    const reader = await openPackage(fromBytes(bytes))
    const segment = reader.segmentsOf(reader.entry('table.fits'))!.find((s) => s.layout === 'rows')!
    expect(reader.transformsOf(reader.chunks[segment.firstChunk]!)[0]).toEqual(step)
    expect(sameBytes(await reader.readEntry('table.fits'), file)).toBe(true)
    expect(reader.trailer.requiredFeatures & FEATURE_SPLIT_DELTA).toBe(FEATURE_SPLIT_DELTA)
    const { decodeTransforms } = await import('../src/typed-sections.js')
    const chainOf = (op: number, width: number, param: number) =>
      Uint8Array.of(1, 0, 0, 0, 1, op, width, param)
    expect(decodeTransforms(chainOf(14, 4, 31))).toEqual([[{ op: 'split-delta-le', width: 4, lowBits: 31 }]])
    for (const [width, param] of [
      [8, 0],
      [8, 64],
      [4, 32],
      [2, 5],
    ] as const)
      expect(() => decodeTransforms(chainOf(13, width, param))).toThrow(
        expect.objectContaining({ code: 'CORRUPT_INDEX' }),
      )
  })

  it('is refused by a reader that lacks typed segments, by name', async () => {
    const t = {
      head: new Uint8Array(10),
      rowWidth: 3,
      columns: [
        { offset: 0, width: 2 },
        { offset: 2, width: 1 },
      ],
      rows: new Uint8Array(30),
      tail: new Uint8Array(0),
    }
    const { bytes } = await writeTable(t, 4, [[]])
    const { decodeTrailer } = await import('../src/trailer.js')
    const trailer = decodeTrailer(bytes.subarray(bytes.byteLength - 64), bytes.byteLength)
    expect(trailer.requiredFeatures).toBe(1)
  })
})

describe('a damaged typed package', () => {
  it('is reported for a flipped byte anywhere, with a typed problem, never a crash', async () => {
    const rows = Uint8Array.from({ length: 60 * 7 }, (_, i) => (i * 31) % 251)
    const t = {
      head: new Uint8Array(40).fill(32),
      rowWidth: 7,
      columns: [
        { offset: 0, width: 4 },
        { offset: 4, width: 3 },
      ],
      rows,
      tail: Uint8Array.of(1, 2, 3),
    }
    const { bytes } = await writeTable(t, 16, [
      [
        { op: 'xor', width: 4 },
        { op: 'shuffle', width: 4 },
      ],
      [],
    ])
    for (let at = 0; at < bytes.byteLength; at++) {
      const bad = bytes.slice()
      bad[at]! ^= 0x40
      const result = await verifyPackage(fromBytes(bad), { full: true })
      if (result.isValid) throw new Error(`flip at ${at} went unnoticed`)
      for (const problem of result.problems) expect(problem.code).toMatch(/^[A-Z_]+$/)
    }
  }, 120_000)
})
