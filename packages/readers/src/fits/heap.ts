import type { BinaryColumn, BinaryTableLayout } from './bintable-layout.js'
import { expandBitsAt } from './bits.js'
import type { FieldData } from './column-data.js'
import { decodeElements } from './decode-elements.js'
import { fitsError } from './errors.js'
import { stringsAt } from './strings.js'
import { ELEMENT_BYTES } from './tform.js'

/** Heap bytes in memory: `bytes[0]` is at byte `start` of the heap (offsets count from THEAP). */
export interface HeapSpan {
  bytes: Uint8Array
  start: number
}

/** The array descriptors of a P/Q column for a batch of rows, already checked against the heap size. */
export interface Descriptors {
  /** Elements (bits for X) in each row's array. */
  counts: Float64Array
  /** Heap offset of each row's array. */
  offsets: Float64Array
  /** Heap bytes the batch touches: [first, end); first = end = 0 when every array is empty. */
  first: number
  end: number
}

const MAX_ELEMENTS = 0x7fffffff
const MAX_BATCH_BYTES = 1 << 30

export function readDescriptors(
  rows: Uint8Array,
  rowCount: number,
  layout: BinaryTableLayout,
  column: BinaryColumn,
  firstRow: number,
): Descriptors {
  const { form } = column
  const counts = new Float64Array(rowCount)
  const offsets = new Float64Array(rowCount)
  const heapSize = layout.heapEnd - layout.heapStart
  const view = new DataView(rows.buffer, rows.byteOffset, rows.byteLength)
  let first = Number.POSITIVE_INFINITY
  let end = 0
  for (let r = 0; r < rowCount && form.repeat > 0; r++) {
    const at = r * layout.rowBytes + column.offset
    const place = {
      hdu: layout.hdu,
      keyword: `TFORM${column.n}`,
      offset: layout.dataStart + (firstRow + r) * layout.rowBytes + column.offset,
    }
    let count: number
    let offset: number
    if (form.type === 'P') {
      count = view.getUint32(at)
      offset = view.getUint32(at + 4)
    } else {
      count = view.getUint32(at) * 2 ** 32 + view.getUint32(at + 4)
      offset = view.getUint32(at + 8) * 2 ** 32 + view.getUint32(at + 12)
      if (!Number.isSafeInteger(count) || !Number.isSafeInteger(offset)) {
        throw fitsError(
          'LIMIT_EXCEEDED',
          place,
          `row ${firstRow + r} of column ${column.name}: descriptor beyond 2^53`,
        )
      }
    }
    const bytes = form.element === 'X' ? Math.ceil(count / 8) : count * ELEMENT_BYTES[form.element]
    if (offset + bytes > heapSize) {
      const text = `row ${firstRow + r} of column ${column.name}: array of ${count} elements at heap offset ${offset}`
      throw fitsError('CORRUPT_CHUNK', place, `${text} runs past the heap of ${heapSize} bytes`)
    }
    counts[r] = count
    offsets[r] = offset
    if (bytes > 0) {
      first = Math.min(first, offset)
      end = Math.max(end, offset + bytes)
    }
  }
  return first === Number.POSITIVE_INFINITY
    ? { counts, offsets, first: 0, end: 0 }
    : { counts, offsets, first, end }
}

/** Gathers each row's array from the heap into one flat array plus row offsets (Arrow's list layout). */
export function decodeHeapField(
  descriptors: Descriptors,
  heap: HeapSpan,
  layout: BinaryTableLayout,
  column: BinaryColumn,
  scale: boolean,
): FieldData {
  const { counts, offsets } = descriptors
  const rowCount = counts.length
  const element = column.form.element
  let total = 0
  for (let r = 0; r < rowCount; r++) total += counts[r]!
  // Rows may share heap bytes, so a small file can describe huge arrays: bound what one batch gathers.
  const bytes = element === 'X' ? total : total * ELEMENT_BYTES[element]
  if (total > MAX_ELEMENTS || bytes > MAX_BATCH_BYTES) {
    const place = { hdu: layout.hdu, keyword: `TFORM${column.n}`, offset: layout.heapStart }
    const text = `column ${column.name}: ${total} array elements (${bytes} bytes) in one batch; read fewer rows`
    throw fitsError('LIMIT_EXCEEDED', place, text)
  }
  const starts = new Float64Array(rowCount)
  for (let r = 0; r < rowCount; r++) starts[r] = offsets[r]! - heap.start
  const base = { rowCount, nulls: undefined, offsets: undefined, scaled: false }
  if (element === 'A') {
    return {
      ...base,
      kind: 'string',
      perRow: 1,
      values: stringsAt(heap.bytes, starts, Int32Array.from(counts)),
    }
  }
  const rowOffsets = new Int32Array(rowCount + 1)
  const numbersPerElement = element === 'C' || element === 'M' ? 2 : 1
  for (let r = 0; r < rowCount; r++) rowOffsets[r + 1] = rowOffsets[r]! + counts[r]! * numbersPerElement
  if (element === 'X') {
    return {
      ...base,
      kind: 'bits',
      perRow: 0,
      values: expandBitsAt(heap.bytes, starts, counts),
      offsets: rowOffsets,
    }
  }
  const size = ELEMENT_BYTES[element]
  const staging = new Uint8Array(total * size)
  for (let r = 0, o = 0; r < rowCount; r++) {
    const length = counts[r]! * size
    staging.set(heap.bytes.subarray(starts[r]!, starts[r]! + length), o)
    o += length
  }
  // Complex elements are two numbers of half the element size each.
  const spec = { element, convention: column.convention, meta: column }
  const decoded = decodeElements(staging, 0, staging.length, 1, total, spec, scale)
  return { ...decoded, rowCount, perRow: 0, offsets: rowOffsets }
}
