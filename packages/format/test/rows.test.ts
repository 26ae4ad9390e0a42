import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type ColumnSlice, joinRows, splitRows } from '../src/index.js'

/** Column layouts of any widths (word-sized, odd, wide), over rows placed at any alignment. */
const table = fc
  .record({
    widths: fc.array(fc.oneof(fc.constantFrom(1, 2, 4, 8), fc.integer({ min: 1, max: 90 })), {
      minLength: 1,
      maxLength: 7,
    }),
    rows: fc.integer({ min: 0, max: 300 }),
    shift: fc.integer({ min: 0, max: 7 }),
    seed: fc.integer(),
  })
  .map(({ widths, rows, shift, seed }) => {
    let offset = 0
    const columns: ColumnSlice[] = widths.map((width) => {
      const column = { offset, width }
      offset += width
      return column
    })
    const backing = new Uint8Array(shift + offset * rows)
    let state = seed | 1
    for (let i = 0; i < backing.length; i++) {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      backing[i] = state & 0xff
    }
    return { columns, rowWidth: offset, rows, bytes: backing.subarray(shift) }
  })

const same = (a: Uint8Array, b: Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

describe('rows', () => {
  it('splitRows gives each column its fields in row order, and joinRows puts them back', () => {
    fc.assert(
      fc.property(table, ({ columns, rowWidth, rows, bytes }) => {
        const parts = splitRows(bytes, rowWidth, columns)
        for (const [c, { offset, width }] of columns.entries()) {
          const expected = new Uint8Array(rows * width)
          for (let r = 0; r < rows; r++)
            expected.set(bytes.subarray(r * rowWidth + offset, r * rowWidth + offset + width), r * width)
          expect(same(parts[c]!, expected)).toBe(true)
        }
        expect(same(joinRows(parts, rowWidth, columns, rows), bytes)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('joins into an unaligned buffer bigger than the rows', () => {
    fc.assert(
      fc.property(table, ({ columns, rowWidth, rows, bytes }) => {
        const parts = splitRows(bytes, rowWidth, columns)
        const into = new Uint8Array(rowWidth * rows + 9).subarray(3)
        const joined = joinRows(parts, rowWidth, columns, rows, into)
        expect(joined.buffer).toBe(into.buffer)
        expect(same(joined, bytes)).toBe(true)
      }),
      { numRuns: 100 },
    )
  })
})
