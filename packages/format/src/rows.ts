import { resolvePredictedRowsGroup } from './rows-predicted.js'

/** Moving between fixed-width rows and the columns a rows segment stores (SPEC §7.1). */

export interface ColumnSlice {
  offset: number
  width: number
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Copies `count` fields of `width` bytes from `from` (stride `fromStride`) to `to` (stride `toStride`).
 * Widths 2, 4 and 8 move as whole words (bit patterns, so NaN payloads survive), 8 as 64-bit integers:
 * V8 keeps those unboxed, 1.5-2.5x faster than two 32-bit halves. The column side of a copy is contiguous;
 * when it is also aligned it is a typed array, faster still than a DataView.
 */
function copyFields(
  from: Uint8Array,
  fromStart: number,
  fromStride: number,
  to: Uint8Array,
  toStart: number,
  toStride: number,
  width: number,
  count: number,
): void {
  if (fromStride === width && toStride === width) {
    to.set(from.subarray(fromStart, fromStart + width * count), toStart)
    return
  }
  if (width !== 1 && width !== 2 && width !== 4 && width !== 8 && width < WIDE_FIELD) {
    // Other fields under 64 bytes move as word-sized pieces, one strided pass each: much faster than a
    // subarray per row (12- and 16-byte fields: 0.3-0.4 -> 1.5+ GB/s).
    for (let piece = 0; piece < width; ) {
      const size = width - piece >= 8 ? 8 : width - piece >= 4 ? 4 : width - piece >= 2 ? 2 : 1
      copyFields(from, fromStart + piece, fromStride, to, toStart + piece, toStride, size, count)
      piece += size
    }
    return
  }
  const source = view(from)
  const target = view(to)
  let f = fromStart
  let t = toStart
  if (width === 8) {
    const column = contiguous(from, fromStart, fromStride, to, toStart, toStride, 8, count)
    if (column === 'from') {
      const words = new BigUint64Array(from.buffer, from.byteOffset + fromStart, count)
      for (let r = 0; r < count; r++, t += toStride) target.setBigUint64(t, words[r]!, true)
    } else if (column === 'to') {
      const words = new BigUint64Array(to.buffer, to.byteOffset + toStart, count)
      for (let r = 0; r < count; r++, f += fromStride) words[r] = source.getBigUint64(f, true)
    } else {
      for (let r = 0; r < count; r++, f += fromStride, t += toStride)
        target.setBigUint64(t, source.getBigUint64(f, true), true)
    }
  } else if (width === 4) {
    const column = contiguous(from, fromStart, fromStride, to, toStart, toStride, 4, count)
    if (column === 'from') {
      const words = new Uint32Array(from.buffer, from.byteOffset + fromStart, count)
      for (let r = 0; r < count; r++, t += toStride) target.setUint32(t, words[r]!, true)
    } else if (column === 'to') {
      const words = new Uint32Array(to.buffer, to.byteOffset + toStart, count)
      for (let r = 0; r < count; r++, f += fromStride) words[r] = source.getUint32(f, true)
    } else {
      for (let r = 0; r < count; r++, f += fromStride, t += toStride)
        target.setUint32(t, source.getUint32(f, true), true)
    }
  } else if (width === 2) {
    for (let r = 0; r < count; r++, f += fromStride, t += toStride)
      target.setUint16(t, source.getUint16(f, true), true)
  } else if (width === 1) {
    for (let r = 0; r < count; r++, f += fromStride, t += toStride) to[t] = from[f]!
  } else {
    for (let r = 0; r < count; r++, f += fromStride, t += toStride) to.set(from.subarray(f, f + width), t)
  }
}

/**
 * Which side of a copy is a contiguous, aligned run of words, readable as a typed array: its words then
 * keep the bytes' order only on little-endian machines (typed arrays use the platform's order).
 */
function contiguous(
  from: Uint8Array,
  fromStart: number,
  fromStride: number,
  to: Uint8Array,
  toStart: number,
  toStride: number,
  width: number,
  count: number,
): 'from' | 'to' | undefined {
  if (!LITTLE_ENDIAN || count === 0) return undefined
  if (fromStride === width && (from.byteOffset + fromStart) % width === 0) return 'from'
  if (toStride === width && (to.byteOffset + toStart) % width === 0) return 'to'
  return undefined
}

/** From this width up a field is copied per row with `set` (the per-row subarray is then cheap). */
const WIDE_FIELD = 64

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/**
 * Splits `rows` (each `rowWidth` bytes) into one array per column, each holding that column's bytes row
 * after row; into `into[c]` when given and big enough.
 */
export function splitRows(
  rows: Uint8Array,
  rowWidth: number,
  columns: readonly ColumnSlice[],
  into?: readonly Uint8Array[],
): Uint8Array[] {
  const count = rows.byteLength / rowWidth
  return columns.map(({ offset, width }, c) => {
    const target = into?.[c]
    const out =
      target && target.byteLength >= count * width
        ? target.subarray(0, count * width)
        : new Uint8Array(count * width)
    copyFields(rows, offset, rowWidth, out, 0, width, width, count)
    return out
  })
}

/**
 * The inverse of splitRows: rebuilds the rows from the column arrays (predicted ones resolved first),
 * into `into` when it is big enough.
 */
export function joinRows(
  chunks: readonly Uint8Array[],
  rowWidth: number,
  columns: readonly ColumnSlice[],
  rowCount: number,
  into?: Uint8Array,
): Uint8Array {
  const size = rowCount * rowWidth
  const out = into && into.byteLength >= size ? into.subarray(0, size) : new Uint8Array(size)
  const parts = resolvePredictedRowsGroup(
    chunks,
    columns.map((column) => column.width),
    rowCount,
  )
  for (const [c, { offset, width }] of columns.entries()) {
    copyFields(parts[c]!, 0, width, out, offset, rowWidth, width, rowCount)
  }
  return out
}
