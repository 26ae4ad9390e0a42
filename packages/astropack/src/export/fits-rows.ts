import { AstropackError } from '@astropack/codecs'
import type { Data } from 'apache-arrow'
import { ELEMENT_BYTES, type FitsColumn, fitsStringLength, leafOf, writeFitsString } from './fits-columns.js'

/**
 * FITS rows and heap from Arrow data: big-endian values at each column's offset in the row, TZERO
 * subtracted, nulls as TNULL (integers), NaN (floats), a zero byte (logicals) or an empty string.
 */

/** Writes element `index` of a leaf at byte `at`. */
type Put = (view: DataView, at: number, index: number) => void
type PutNull = (view: DataView, at: number) => void

const TRUE = 0x54 // 'T'
const FALSE = 0x46 // 'F'

function nullPutter(column: FitsColumn): PutNull {
  const tnull = column.tnull
  switch (column.element.code) {
    case 'E':
      return (view, at) => view.setFloat32(at, Number.NaN)
    case 'D':
      return (view, at) => view.setFloat64(at, Number.NaN)
    case 'L':
    case 'A':
      return () => {} // the row buffer starts zeroed: a zero byte is a null logical, an empty string
  }
  if (tnull === undefined) {
    throw new AstropackError('USAGE', `column ${JSON.stringify(column.field.name)} has nulls but no TNULL`)
  }
  const code = column.element.code
  if (code === 'K') return (view, at) => view.setBigInt64(at, tnull)
  const raw = Number(tnull)
  if (code === 'B') return (view, at) => view.setUint8(at, raw)
  if (code === 'I') return (view, at) => view.setInt16(at, raw)
  return (view, at) => view.setInt32(at, raw)
}

function putter(leaf: Data, column: FitsColumn): Put {
  const put = valuePutter(leaf, column)
  if (leaf.nullCount === 0) return put
  const putNull = nullPutter(column)
  return (view, at, index) => (leaf.getValid(index) ? put(view, at, index) : putNull(view, at))
}

function valuePutter(leaf: Data, column: FitsColumn): Put {
  const { offset } = leaf
  const { code, zero } = column.element
  if (code === 'L') {
    const bits = leaf.values as Uint8Array
    return (view, at, i) =>
      view.setUint8(at, (bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1 ? TRUE : FALSE)
  }
  if (code === 'K') {
    const values = leaf.values as BigInt64Array | BigUint64Array
    // Unsigned: value - 2^63 lies in int64 range.
    return zero === 0n
      ? (view, at, i) => view.setBigInt64(at, values[offset + i]!)
      : (view, at, i) => view.setBigInt64(at, values[offset + i]! - zero)
  }
  const values = leaf.values as ArrayLike<number>
  const z = Number(zero)
  switch (code) {
    case 'B':
      return (view, at, i) => view.setUint8(at, values[offset + i]! - z)
    case 'I':
      return (view, at, i) => view.setInt16(at, values[offset + i]! - z)
    case 'J':
      return (view, at, i) => view.setInt32(at, values[offset + i]! - z)
    case 'E':
      return (view, at, i) => view.setFloat32(at, values[offset + i]!)
    default:
      return (view, at, i) => view.setFloat64(at, values[offset + i]!)
  }
}

/** Where a column's field starts in the row, and where heap arrays of the rows written so far end. */
export interface RowLayout {
  rowBytes: number
  offsets: number[]
  /** 'P' (32-bit descriptors) or 'Q' (64-bit) for variable-length arrays. */
  descriptor: 'P' | 'Q'
}

/**
 * Rows [from, to) of a batch's columns as FITS rows. `heap.end` is where the next array goes; it
 * advances in the order `encodeHeap` writes the arrays (row by row, column by column).
 */
export function encodeRows(
  columns: readonly FitsColumn[],
  data: readonly Data[],
  from: number,
  to: number,
  layout: RowLayout,
  heap: { end: number },
): Uint8Array {
  const bytes = new Uint8Array((to - from) * layout.rowBytes)
  const view = new DataView(bytes.buffer)
  columns.forEach((column, c) => {
    if (column.shape !== 'list') encodeField(column, data[c]!, bytes, view, from, to, layout, c)
  })
  const lists = columns.flatMap((column, c) => (column.shape === 'list' ? [c] : []))
  if (lists.length === 0) return bytes
  for (let row = from; row < to; row++) {
    for (const c of lists) {
      const list = data[c]!
      const offsets = list.valueOffsets as Int32Array
      const count = offsets[list.offset + row + 1]! - offsets[list.offset + row]!
      const at = (row - from) * layout.rowBytes + layout.offsets[c]!
      if (layout.descriptor === 'P') {
        view.setInt32(at, count)
        view.setInt32(at + 4, heap.end)
      } else {
        view.setBigInt64(at, BigInt(count))
        view.setBigInt64(at + 8, BigInt(heap.end))
      }
      heap.end += count * ELEMENT_BYTES[columns[c]!.element.code]
    }
  }
  return bytes
}

function encodeField(
  column: FitsColumn,
  data: Data,
  bytes: Uint8Array,
  view: DataView,
  from: number,
  to: number,
  layout: RowLayout,
  c: number,
): void {
  const { leaf, first } = leafOf(data)
  const count = column.count
  const vector = leaf !== data && data.nullCount > 0 // a null vector: every element null
  if (column.element.code === 'A') {
    const width = Math.max(1, column.width ?? 1)
    const text = leaf.values as Uint8Array
    const offsets = leaf.valueOffsets as Int32Array
    for (let row = from; row < to; row++) {
      if (vector && !data.getValid(row)) continue
      let at = (row - from) * layout.rowBytes + layout.offsets[c]!
      for (let i = first + row * count, end = i + count; i < end; i++, at += width) {
        if (leaf.nullCount > 0 && !leaf.getValid(i)) continue
        const start = offsets[leaf.offset + i]!
        const end = offsets[leaf.offset + i + 1]!
        const length = fitsStringLength(text, start, end)
        if (length > width) {
          throw new AstropackError(
            'USAGE',
            `column ${JSON.stringify(column.field.name)}: a string of ${length} bytes in a ${width}A field`,
          )
        }
        writeFitsString(text, start, end, length, bytes, at)
      }
    }
    return
  }
  const put = putter(leaf, column)
  // Without null vectors every row is valid and no null is written (a column without nulls has no TNULL).
  const putNull = vector ? nullPutter(column) : () => {}
  const size = ELEMENT_BYTES[column.element.code]
  for (let row = from; row < to; row++) {
    let at = (row - from) * layout.rowBytes + layout.offsets[c]!
    const valid = !vector || data.getValid(row)
    for (let i = first + row * count, end = i + count; i < end; i++, at += size) {
      if (valid) put(view, at, i)
      else putNull(view, at)
    }
  }
}

/** The heap arrays of rows [from, to), in the order `encodeRows` gave them offsets. */
export function encodeHeap(
  columns: readonly FitsColumn[],
  data: readonly Data[],
  from: number,
  to: number,
): Uint8Array {
  const lists = columns.flatMap((column, c) => (column.shape === 'list' ? [c] : []))
  let total = 0
  for (const c of lists) {
    const list = data[c]!
    const offsets = list.valueOffsets as Int32Array
    const items = offsets[list.offset + to]! - offsets[list.offset + from]!
    total += items * ELEMENT_BYTES[columns[c]!.element.code]
  }
  const bytes = new Uint8Array(total)
  const view = new DataView(bytes.buffer)
  const puts = lists.map((c) => putter(data[c]!.children[0]!, columns[c]!))
  let at = 0
  for (let row = from; row < to; row++) {
    lists.forEach((c, l) => {
      const list = data[c]!
      const offsets = list.valueOffsets as Int32Array
      const size = ELEMENT_BYTES[columns[c]!.element.code]
      for (
        let i = offsets[list.offset + row]!, end = offsets[list.offset + row + 1]!;
        i < end;
        i++, at += size
      )
        puts[l]!(view, at, i)
    })
  }
  return bytes
}
