import { type ColumnValue, fixedStrings } from './column-values.js'
import { AstropackError } from './errors.js'
import type { ManifestColumn } from './manifest.js'
import { parseNumpyType } from './numpy-types.js'

/**
 * HDF5 column bytes as JavaScript values, for scalar columns of numpy-named types in either byte order:
 * integers of 1-4 bytes and floats as numbers, 64-bit integers as bigints (as FITS K), `b1` as booleans,
 * fixed strings (`Sn`) cut at their first NUL. HDF5 has no null marker: every row has a value.
 */

type Decode = (bytes: Uint8Array) => ColumnValue[]

/** Readers of the scalar numeric types, by kind and size; each takes the byte order. */
const READERS = {
  i1: (view: DataView, at: number) => view.getInt8(at),
  u1: (view: DataView, at: number) => view.getUint8(at),
  i2: (view: DataView, at: number, little: boolean) => view.getInt16(at, little),
  u2: (view: DataView, at: number, little: boolean) => view.getUint16(at, little),
  i4: (view: DataView, at: number, little: boolean) => view.getInt32(at, little),
  u4: (view: DataView, at: number, little: boolean) => view.getUint32(at, little),
  i8: (view: DataView, at: number, little: boolean) => view.getBigInt64(at, little),
  u8: (view: DataView, at: number, little: boolean) => view.getBigUint64(at, little),
  f4: (view: DataView, at: number, little: boolean) => view.getFloat32(at, little),
  f8: (view: DataView, at: number, little: boolean) => view.getFloat64(at, little),
  b1: (view: DataView, at: number) => view.getUint8(at) !== 0,
} as const satisfies Record<string, (view: DataView, at: number, little: boolean) => ColumnValue>

/**
 * A decoder from an HDF5 column's bytes (a whole number of rows, as stored in the file) to one value per
 * row. USAGE for array members, opaque types and sizes without a JavaScript value (`<f2`, `<f16`).
 */
export function numpyColumnDecoder(column: ManifestColumn): Decode {
  const type = parseNumpyType(column.type)
  const name = JSON.stringify(column.name)
  if (type === undefined) {
    throw new AstropackError(
      'USAGE',
      `column ${name} has no numpy type in the manifest: read its bytes (readColumn)`,
    )
  }
  const read = READERS[`${type.kind}${type.size}` as keyof typeof READERS]
  if (type.count === 1 && type.kind === 'S') return fixedStrings(type.size, false)
  if (type.count !== 1 || read === undefined) {
    throw new AstropackError(
      'USAGE',
      `column ${name} is ${column.type}: values are decoded for scalar integers, floats (4 and 8 bytes), booleans and strings: read its bytes (readColumn)`,
    )
  }
  const { width, littleEndian } = type
  return (bytes) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const out = new Array<ColumnValue>(bytes.byteLength / width)
    for (let i = 0; i < out.length; i++) out[i] = read(view, i * width, littleEndian)
    return out
  }
}
