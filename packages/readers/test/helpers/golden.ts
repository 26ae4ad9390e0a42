import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { ColumnData, FitsCard, FitsValue, NumericArray } from '../../src/index.js'

/** One HDU as make-expected.py describes it from astropy. */
export interface ExpectedHdu {
  index: number
  type: string
  headerStart: number
  dataStart: number
  paddedDataLength: number
  cards: { image: string; keyword: string; value: ExpectedValue; comment: string }[]
  rowCount?: number
  columns?: ExpectedColumn[]
  image?: { scaled: ExpectedArray; raw: ExpectedArray }
}

export type ExpectedValue = string | number | boolean | null | { bigint: string } | { re: number; im: number }

export interface ExpectedArray {
  dtype: string
  count: number
  sha256: string
  first: unknown[]
}

export interface ExpectedColumn extends ExpectedArray {
  name: string
  format: string
  shape?: number[]
  lengths?: number[] | string
}

export interface ExpectedFile {
  file: string
  byteLength: number
  astropy: string
  hdus: ExpectedHdu[]
}

export function loadExpected(path: string): ExpectedFile {
  return JSON.parse(readFileSync(path, 'utf8')) as ExpectedFile
}

/** Cards as astropy lists them: END dropped, CONTINUE parts joined to the card they extend. */
export function astropyStyleCards(
  cards: FitsCard[],
): { image: string; keyword: string; value: unknown; comment: string }[] {
  const out: { image: string; keyword: string; value: unknown; comment: string }[] = []
  for (const card of cards) {
    if (card.kind === 'end') continue
    const last = out[out.length - 1]
    if (card.kind === 'continue' && last !== undefined) {
      last.image += card.raw
      continue
    }
    // astropy puts a commentary card's text in `value`; this reader puts it in `comment`.
    const commentary = card.kind === 'commentary'
    out.push({
      image: card.raw,
      keyword: card.keyword,
      value: commentary ? card.comment : expectedStyleValue(card.value),
      comment: commentary ? '' : card.comment,
    })
  }
  return out
}

function expectedStyleValue(value: FitsValue): unknown {
  if (typeof value === 'bigint') return { bigint: value.toString() }
  return value
}

type ArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor

const DTYPES: Record<string, ArrayConstructor> = {
  bool: Uint8Array,
  u1: Uint8Array,
  i1: Int8Array,
  i2: Int16Array,
  u2: Uint16Array,
  i4: Int32Array,
  u4: Uint32Array,
  i8: BigInt64Array,
  u8: BigUint64Array,
  f4: Float32Array,
  f8: Float64Array,
  c8: Float32Array,
  c16: Float64Array,
}

/** The numpy dtype name this reader's array corresponds to, given astropy's for the same data. */
export function dtypeOf(values: NumericArray, kind: ColumnData['kind'] | 'image'): string {
  if (kind === 'logical' || kind === 'bits') return 'bool'
  const name = values.constructor.name
  const base: Record<string, string> = {
    Int8Array: 'i1',
    Uint8Array: 'u1',
    Int16Array: 'i2',
    Uint16Array: 'u2',
    Int32Array: 'i4',
    Uint32Array: 'u4',
    BigInt64Array: 'i8',
    BigUint64Array: 'u8',
    Float32Array: 'f4',
    Float64Array: 'f8',
  }
  const dtype = base[name]!
  if (kind === 'complex') return dtype === 'f4' ? 'c8' : 'c16'
  return dtype
}

/** SHA-256 of the values converted to the expected dtype, in the byte layout numpy hashes (little-endian). */
export function numericDigest(values: NumericArray, dtype: string): string {
  const Target = DTYPES[dtype]
  if (Target === undefined) throw new Error(`no typed array for dtype ${dtype}`)
  let array: NumericArray = values
  if (!(values instanceof Target)) {
    const bigTarget = Target === BigInt64Array || Target === BigUint64Array
    const source = Array.from(values as ArrayLike<number | bigint>, (v) =>
      bigTarget ? BigInt(v) : Number(v),
    )
    array = (Target as { from(items: unknown[]): NumericArray }).from(source)
  }
  return createHash('sha256')
    .update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength))
    .digest('hex')
}

export function stringDigest(strings: string[]): string {
  return createHash('sha256').update(strings.join('\0'), 'utf8').digest('hex')
}
