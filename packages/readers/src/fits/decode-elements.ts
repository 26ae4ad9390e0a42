import { flipSignBit, gatherSwapped } from './big-endian.js'
import type { IntegerConvention } from './bintable-layout.js'
import { type ColumnMeta, isScaled } from './column-meta.js'
import type { ElementType } from './tform.js'

export type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array

export type ColumnKind = 'logical' | 'bits' | 'integer' | 'float' | 'complex' | 'string'

/** Decoded values of fixed-size elements, before they are wrapped into a column. */
export interface DecodedElements {
  kind: ColumnKind
  values: NumericArray
  /** 1 where the element is null: TNULL for integers, a zero byte for logicals. */
  nulls: Uint8Array | undefined
  /** TSCAL/TZERO were applied and the values became Float64. */
  scaled: boolean
}

/** What the decoder needs to know about a field besides where it is. */
export interface ElementSpec {
  element: Exclude<ElementType, 'A' | 'X'>
  convention: IntegerConvention | undefined
  meta: ColumnMeta
}

type StorageConstructor = new (length: number) => NumericArray

const STORAGE: Record<ElementSpec['element'], [StorageConstructor, number, ColumnKind]> = {
  L: [Uint8Array, 1, 'logical'],
  B: [Uint8Array, 1, 'integer'],
  I: [Int16Array, 2, 'integer'],
  J: [Int32Array, 4, 'integer'],
  K: [BigInt64Array, 8, 'integer'],
  E: [Float32Array, 4, 'float'],
  D: [Float64Array, 8, 'float'],
  C: [Float32Array, 4, 'complex'],
  M: [Float64Array, 8, 'complex'],
}

/**
 * Decodes `rows` groups of `count` elements, group r starting at `first + r * stride` in `src`.
 * Complex elements give two numbers (real, imaginary) each. With `scale`, TZERO integer conventions give
 * Int8/Uint16/Uint32/BigUint64 arrays and any other TSCAL/TZERO gives Float64 (nulls as NaN).
 */
export function decodeElements(
  src: Uint8Array,
  first: number,
  stride: number,
  rows: number,
  count: number,
  spec: ElementSpec,
  scale: boolean,
): DecodedElements {
  const [Storage, size, kind] = STORAGE[spec.element]
  const numbers = kind === 'complex' ? count * 2 : count
  const values = new Storage(rows * numbers)
  const bytes = new Uint8Array(values.buffer)
  gatherSwapped(src, first, stride, rows, numbers * size, size, bytes)
  if (kind === 'logical') return decodeLogical(bytes)
  const nulls = kind === 'integer' ? integerNulls(values, spec.meta.null) : undefined
  if (!scale) return { kind, values, nulls, scaled: false }
  if (spec.convention !== undefined) {
    flipSignBit(bytes, size)
    return { kind, values: reinterpret(values, spec.convention), nulls, scaled: false }
  }
  if (!isScaled(spec.meta)) return { kind, values, nulls, scaled: false }
  return {
    kind: kind === 'integer' ? 'float' : kind,
    values: applyScale(values, spec.meta, nulls),
    nulls,
    scaled: true,
  }
}

function decodeLogical(bytes: Uint8Array): DecodedElements {
  let nulls: Uint8Array | undefined
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (byte === 84) {
      bytes[i] = 1
    } else if (byte === 70) {
      bytes[i] = 0
    } else {
      // 0 is the FITS null; anything else is not a logical at all and is read as null too.
      nulls ??= new Uint8Array(bytes.length)
      nulls[i] = 1
      bytes[i] = 0
    }
  }
  return { kind: 'logical', values: bytes, nulls, scaled: false }
}

function integerNulls(values: NumericArray, tnull: ColumnMeta['null']): Uint8Array | undefined {
  if (typeof tnull !== 'bigint' && !Number.isInteger(tnull)) return undefined
  const target = values instanceof BigInt64Array ? BigInt(tnull as number | bigint) : Number(tnull)
  const items = values as ArrayLike<number | bigint>
  let nulls: Uint8Array | undefined
  for (let i = 0; i < items.length; i++) {
    if (items[i] !== target) continue
    nulls ??= new Uint8Array(items.length)
    nulls[i] = 1
  }
  return nulls
}

function reinterpret(values: NumericArray, convention: IntegerConvention): NumericArray {
  const { buffer } = values
  switch (convention) {
    case 'int8':
      return new Int8Array(buffer)
    case 'uint16':
      return new Uint16Array(buffer)
    case 'uint32':
      return new Uint32Array(buffer)
    case 'uint64':
      return new BigUint64Array(buffer)
  }
}

/** physical = TZERO + TSCAL * stored, always in Float64 (as astropy does, so no precision is lost). */
function applyScale(values: NumericArray, meta: ColumnMeta, nulls: Uint8Array | undefined): NumericArray {
  const scale = meta.scale
  const zero = Number(meta.zero)
  const out = values instanceof Float64Array ? values : new Float64Array(values.length)
  if (values instanceof BigInt64Array) {
    for (let i = 0; i < values.length; i++) out[i] = Number(values[i]!) * scale + zero
  } else {
    const numbers = values as Exclude<NumericArray, BigInt64Array | BigUint64Array>
    for (let i = 0; i < numbers.length; i++) out[i] = numbers[i]! * scale + zero
  }
  if (nulls) for (let i = 0; i < nulls.length; i++) if (nulls[i]) out[i] = Number.NaN
  return out
}
