import type { Dataset } from 'h5wasm/node'
import type { FieldData } from '../fits/column-data.js'
import type { NumericArray } from '../fits/decode-elements.js'
import { stringsAt, type Utf8Strings } from '../fits/strings.js'
import { hdf5Error } from './errors.js'
import { libraryCall, type OpenHdf5 } from './h5wasm.js'
import type { Hdf5Column, Hdf5ElementType } from './table.js'

const utf8 = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Decodes one column of a batch from the raw little-endian rows HDF5 gave (`rowBytes` apart), in the
 * form fieldsToRecordBatch takes.
 */
export function decodeColumn(
  file: string,
  column: Hdf5Column,
  raw: Uint8Array,
  rowBytes: number,
  rows: number,
): FieldData {
  const { element, perRow, offset } = column
  const count = rows * perRow
  const field = { rowCount: rows, perRow, nulls: undefined, offsets: undefined, scaled: false }
  if (element.class === 'string') {
    const values = fixedStrings(file, column, raw, rowBytes, rows)
    return { ...field, kind: 'string', values }
  }
  const width = element.size * perRow
  // A group's dataset is its own rows: view the bytes in place. A compound member is gathered first.
  const bytes = width === rowBytes ? raw : gather(raw, offset, rowBytes, width, rows)
  if (element.class === 'boolean') {
    // A byte that is neither member of the enum is not a boolean: null.
    const values = new Uint8Array(count)
    let nulls: Uint8Array | undefined
    for (let i = 0; i < count; i++) {
      const byte = bytes[i]!
      if (byte === 1) values[i] = 1
      else if (byte !== 0) {
        nulls ??= new Uint8Array(count)
        nulls[i] = 1
      }
    }
    return { ...field, kind: 'logical', values, nulls }
  }
  return { ...field, kind: element.class, values: numbers(element, bytes, count) }
}

function numbers(element: Hdf5ElementType, bytes: Uint8Array, count: number): NumericArray {
  const { buffer, byteOffset } = bytes as Uint8Array<ArrayBuffer>
  if (element.class === 'float') {
    return element.size === 8
      ? new Float64Array(buffer, byteOffset, count)
      : new Float32Array(buffer, byteOffset, count)
  }
  const signed = element.class === 'integer' && element.signed
  switch (element.size) {
    case 1:
      return signed ? new Int8Array(buffer, byteOffset, count) : new Uint8Array(buffer, byteOffset, count)
    case 2:
      return signed ? new Int16Array(buffer, byteOffset, count) : new Uint16Array(buffer, byteOffset, count)
    case 4:
      return signed ? new Int32Array(buffer, byteOffset, count) : new Uint32Array(buffer, byteOffset, count)
    default:
      return signed
        ? new BigInt64Array(buffer, byteOffset, count)
        : new BigUint64Array(buffer, byteOffset, count)
  }
}

/** Copies `width` bytes at `offset` of each row into one contiguous, aligned array. */
function gather(raw: Uint8Array, offset: number, rowBytes: number, width: number, rows: number): Uint8Array {
  const out = new Uint8Array(rows * width)
  for (let r = 0, from = offset, to = 0; r < rows; r++, from += rowBytes, to += width) {
    for (let b = 0; b < width; b++) out[to + b] = raw[from + b]!
  }
  return out
}

/**
 * Fixed-length strings, cut at the first NUL and stripped of trailing spaces as FITS strings are. UTF-8
 * bytes are kept; an ASCII-tagged string holding other bytes is read as Latin-1 so the output stays UTF-8.
 */
function fixedStrings(
  file: string,
  column: Hdf5Column,
  raw: Uint8Array,
  rowBytes: number,
  rows: number,
): Utf8Strings {
  const { element, perRow, offset } = column
  const size = element.size
  const count = rows * perRow
  const starts = new Float64Array(count)
  const offsets = new Int32Array(count + 1)
  let high = false
  for (let r = 0, k = 0; r < rows; r++) {
    for (let f = 0; f < perRow; f++, k++) {
      const start = r * rowBytes + offset + f * size
      let end = start
      while (end < start + size && raw[end] !== 0) end++
      while (end > start && raw[end - 1] === 32) end--
      for (let q = start; q < end && !high; q++) high = raw[q]! > 0x7f
      starts[k] = start
      offsets[k + 1] = offsets[k]! + end - start
    }
  }
  const bytes = new Uint8Array(offsets[count]!)
  for (let k = 0; k < count; k++) {
    const start = starts[k]!
    bytes.set(raw.subarray(start, start + offsets[k + 1]! - offsets[k]!), offsets[k]!)
  }
  if (high && !isUtf8(bytes)) {
    if (element.class === 'string' && element.charset === 'ascii') {
      return stringsAt(raw, starts, new Int32Array(count).fill(size))
    }
    throw hdf5Error(
      'CORRUPT_CHUNK',
      { file, object: column.info.path },
      `column ${column.name} is not valid UTF-8`,
    )
  }
  return { offsets, bytes, ascii: !high }
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes)
    return true
  } catch {
    return false
  }
}

/** Variable-length strings, through h5wasm's own reader (HDF5 hands back pointers into its heap). */
export function variableStrings(open: OpenHdf5, dataset: Dataset, start: number, end: number): Utf8Strings {
  const values = libraryCall({ file: open.name, object: dataset.path }, `read rows ${start} to ${end}`, () =>
    dataset.slice([[start, end]]),
  ) as string[]
  const encoded = values.map((value) => utf8.encode(value ?? ''))
  const offsets = new Int32Array(encoded.length + 1)
  for (let k = 0; k < encoded.length; k++) offsets[k + 1] = offsets[k]! + encoded[k]!.length
  const bytes = new Uint8Array(offsets[encoded.length]!)
  for (let k = 0; k < encoded.length; k++) bytes.set(encoded[k]!, offsets[k]!)
  // UTF-8 takes more bytes than UTF-16 code units only when some character is not ASCII.
  const ascii = encoded.every((value, k) => value.length === values[k]!.length)
  return { offsets, bytes, ascii }
}
