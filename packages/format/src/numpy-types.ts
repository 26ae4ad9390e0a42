/**
 * numpy's names of HDF5 element types, as the manifest records HDF5 columns (`<f8`, `>i4`, `|u1`, `|S6`,
 * `<f4(2,)`): byte order (`<` little, `>` big, `|` not applicable, `=` native, taken as little), kind,
 * element size, and an optional shape for array members.
 */

export type NumpyKind = 'i' | 'u' | 'f' | 'b' | 'S' | 'V'

export interface NumpyType {
  kind: NumpyKind
  /** Bytes one element takes. */
  size: number
  littleEndian: boolean
  /** Elements per row (the product of the shape; 1 for a scalar). */
  count: number
  /** Bytes the field takes in a row: size × count. */
  width: number
}

const NUMPY_TYPE = /^([<>|=])([iufbSV])(\d+)(?:\(([\d,\s]*)\))?$/

/** Sizes a numeric kind can have; other sizes (such as `<f2`) are parsed but not decoded. */
const SIZES: Record<NumpyKind, ReadonlySet<number> | undefined> = {
  i: new Set([1, 2, 4, 8]),
  u: new Set([1, 2, 4, 8]),
  f: new Set([2, 4, 8, 16]),
  b: new Set([1]),
  S: undefined,
  V: undefined,
}

/** The type a numpy type string names; undefined when it is not one. */
export function parseNumpyType(type: string | undefined): NumpyType | undefined {
  const match = NUMPY_TYPE.exec(type ?? '')
  if (!match) return undefined
  const kind = match[2] as NumpyKind
  const size = Number(match[3])
  if (!Number.isSafeInteger(size) || size === 0 || (SIZES[kind] && !SIZES[kind].has(size))) return undefined
  const dims = match[4] === undefined ? [] : match[4].split(',').filter((d) => d.trim() !== '')
  const count = dims.reduce((product, d) => product * Number(d), 1)
  const width = size * count
  if (!Number.isSafeInteger(width)) return undefined
  return { kind, size, littleEndian: match[1] !== '>', count, width }
}
