import { AstropackError } from '@astropack/codecs'
import { type Data, DataType, type Field, Precision, type RecordBatch } from 'apache-arrow'

/**
 * How each Arrow column becomes a FITS binary table column: its element code, the TZERO that stores
 * unsigned (and signed byte) integers, and what the type alone does not tell (string widths, the
 * longest variable-length array, a free TNULL), learnt by a pass over the rows when needed.
 */

/** FITS element codes: logical, byte, 16/32/64-bit integer, float, double, character. */
export type ElementCode = 'L' | 'B' | 'I' | 'J' | 'K' | 'E' | 'D' | 'A'

export const ELEMENT_BYTES: Record<ElementCode, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, E: 4, D: 8, A: 1 }

export interface Element {
  code: ElementCode
  /** TZERO: stored = value - zero (unsigned integers, signed bytes). */
  zero: bigint
  /** The values an integer column can hold (value space), for choosing a free TNULL. */
  range?: [bigint, bigint]
}

export interface FitsColumn {
  field: Field
  /** `scalar`: one element; `fixed`: `count` elements (nested vectors flattened); `list`: a heap array. */
  shape: 'scalar' | 'fixed' | 'list'
  element: Element
  /** Elements per row (strings: strings per row); for `list`, the longest array once known. */
  count: number
  /** Fixed vectors: the size of each nesting level, innermost first (TDIM). */
  dims: number[]
  /** Complex values (pairs of floats) are written as C/M, as the FITS reader read them. */
  complex: boolean
  /** Bytes of the longest string, once known (A columns). */
  width: number | undefined
  /** The stored TNULL of an integer column, once known; undefined when no null needs one. */
  tnull: bigint | undefined
  /** Whether a pass over the rows must find the width, the longest array or a free TNULL. */
  unknown: boolean
}

function element(type: DataType, name: string): Element {
  if (DataType.isBool(type)) return { code: 'L', zero: 0n }
  if (DataType.isUtf8(type)) return { code: 'A', zero: 0n }
  if (DataType.isFloat(type) && type.precision !== Precision.HALF)
    return { code: type.precision === Precision.SINGLE ? 'E' : 'D', zero: 0n }
  if (DataType.isInt(type)) {
    const bits = type.bitWidth as 8 | 16 | 32 | 64
    const code = ({ 8: 'B', 16: 'I', 32: 'J', 64: 'K' } as const)[bits]
    const half = 1n << BigInt(bits - 1)
    // B is unsigned in FITS: signed bytes take TZERO -128; I/J/K are signed: unsigned ones take +2^(n-1).
    const zero = bits === 8 ? (type.isSigned ? -128n : 0n) : type.isSigned ? 0n : half
    const range: [bigint, bigint] = type.isSigned ? [-half, half - 1n] : [0n, 2n * half - 1n]
    return { code, zero, range }
  }
  throw new AstropackError('USAGE', `column ${JSON.stringify(name)}: FITS export has no form for ${type}`)
}

/** The FITS form of a field; what only the rows tell is left for a pass (`unknown`). */
export function planColumn(field: Field): FitsColumn {
  const tform = field.metadata.get('fits.tform') ?? ''
  const complex = field.metadata.has('fits.complex')
  let type = field.type
  if (DataType.isList(type)) {
    const item = type.children[0]!.type
    if (DataType.isList(item) || DataType.isFixedSizeList(item) || DataType.isUtf8(item)) {
      throw new AstropackError(
        'USAGE',
        `column ${JSON.stringify(field.name)}: FITS export writes variable-length arrays of numbers or logicals, not of ${item}`,
      )
    }
    const column = basePlan(field, 'list', element(item, field.name), complex)
    return { ...column, tnull: tnullOf(field), unknown: true }
  }
  const dims: number[] = []
  while (DataType.isFixedSizeList(type)) {
    dims.unshift(type.listSize)
    type = type.children[0]!.type
  }
  const column = basePlan(field, dims.length === 0 ? 'scalar' : 'fixed', element(type, field.name), complex)
  column.dims = dims
  column.count = dims.reduce((product, size) => product * size, 1)
  if (column.element.code === 'A') {
    // A FITS source's `nA` (n characters per row) gives the width without reading the rows.
    const repeat = /^(\d*)A$/.exec(tform)
    const chars = repeat ? Number(repeat[1] || 1) : 0
    column.width = chars > 0 && chars % column.count === 0 ? chars / column.count : undefined
    column.unknown = column.width === undefined
  } else if (column.element.range !== undefined && mayHoldNulls(field)) {
    column.tnull = tnullOf(field)
    column.unknown = column.tnull === undefined
  }
  return column
}

function basePlan(field: Field, shape: FitsColumn['shape'], element: Element, complex: boolean): FitsColumn {
  const isComplex = complex && (element.code === 'E' || element.code === 'D')
  return {
    field,
    shape,
    element,
    count: 1,
    dims: [],
    complex: isComplex,
    width: undefined,
    tnull: undefined,
    unknown: false,
  }
}

function mayHoldNulls(field: Field): boolean {
  let type: DataType = field.type
  let nullable = field.nullable
  while (DataType.isFixedSizeList(type) || DataType.isList(type)) {
    nullable ||= type.children[0]!.nullable
    type = type.children[0]!.type
  }
  return nullable
}

function tnullOf(field: Field): bigint | undefined {
  const text = field.metadata.get('fits.tnull')
  return text !== undefined && /^-?\d+$/.test(text) ? BigInt(text) : undefined
}

/** TFORMn: `rX`, `wA` (`w*k` for k strings of w bytes), `1PX(max)` or `1QX(max)` for heap arrays. */
export function tformOf(column: FitsColumn, descriptor: 'P' | 'Q'): string {
  const { element, count } = column
  if (element.code === 'A') return `${Math.max(1, column.width ?? 1) * count}A`
  const code = column.complex ? (element.code === 'E' ? 'C' : 'M') : element.code
  if (column.shape === 'list') return `1${descriptor}${code}(${count})`
  const repeat = column.complex ? count / 2 : count
  return repeat === 1 ? code : `${repeat}${code}`
}

/** Bytes of the column in one row. */
export function columnBytes(column: FitsColumn, descriptor: 'P' | 'Q'): number {
  if (column.shape === 'list') return descriptor === 'P' ? 8 : 16
  if (column.element.code === 'A') return Math.max(1, column.width ?? 1) * column.count
  return ELEMENT_BYTES[column.element.code] * column.count
}

/**
 * TDIMn: the source's when it still describes the column, else the nesting of vectors of vectors
 * (and of string arrays); none for a plain vector.
 */
export function tdimOf(column: FitsColumn): string | undefined {
  const strings = column.element.code === 'A'
  const dims = strings
    ? [Math.max(1, column.width ?? 1), ...column.dims]
    : column.complex
      ? column.dims.slice(1)
      : column.dims
  const given = column.field.metadata.get('fits.tdim')
  const axes =
    given === undefined
      ? undefined
      : /^\(\s*(\d+(?:\s*,\s*\d+)*)\s*\)$/.exec(given)?.[1]?.split(',').map(Number)
  const elements = dims.reduce((product, size) => product * size, 1)
  if (
    axes !== undefined &&
    axes.reduce((product, size) => product * size, 1) === elements &&
    (!strings || axes[0] === dims[0])
  )
    return `(${axes.join(',')})`
  return dims.length > 1 ? `(${dims.join(',')})` : undefined
}

/** The leaf (innermost) data of a column and the leaf index of row 0: vectors lie contiguous there. */
export function leafOf(data: Data): { leaf: Data; first: number } {
  let leaf = data
  let first = 0
  while (DataType.isFixedSizeList(leaf.type)) {
    first = (leaf.offset + first) * leaf.type.listSize
    leaf = leaf.children[0]!
  }
  return { leaf, first }
}

/**
 * FITS characters are bytes, and the FITS reader gives a byte 0x80-0xFF as the character U+0080-U+00FF
 * (binary data in `nA` columns, as astrometry.net's index files hold). A string of such characters is
 * written back as those bytes, so it keeps its length and bytes; a string with other characters (UTF-8
 * text from a CSV or Parquet table) keeps its UTF-8 bytes. Returns the length in the field, in bytes.
 */
export function fitsStringLength(utf8: Uint8Array, start: number, end: number): number {
  let length = 0
  for (let i = start; i < end; i++, length++) {
    const byte = utf8[i]!
    if (byte < 0x80) continue
    // U+0080-U+00FF is 0xC2 or 0xC3 and one continuation byte.
    if ((byte !== 0xc2 && byte !== 0xc3) || i + 1 >= end || (utf8[i + 1]! & 0xc0) !== 0x80) return end - start
    i++
  }
  return length
}

/** Writes a string's `length` field bytes (as fitsStringLength gave them) at `at`. */
export function writeFitsString(
  utf8: Uint8Array,
  start: number,
  end: number,
  length: number,
  out: Uint8Array,
  at: number,
): void {
  if (length === end - start) {
    out.set(utf8.subarray(start, end), at)
    return
  }
  for (let i = start; i < end; i++) {
    const byte = utf8[i]!
    out[at++] = byte < 0x80 ? byte : ((byte & 0x03) << 6) | (utf8[++i]! & 0x3f)
  }
}

/** How many bytes a string (UTF-8 bytes [start, end)) takes in the output's fields. */
export type StringLength = (utf8: Uint8Array, start: number, end: number) => number

/** What a pass learns of a column: widths, array lengths, integer extremes and nulls. */
export class ColumnSurvey {
  maxBytes = 0
  maxItems = 0
  heapItems = 0
  nulls = 0
  min: bigint | undefined
  max: bigint | undefined

  constructor(readonly stringLength: StringLength) {}

  add(column: FitsColumn, data: Data): void {
    if (column.shape === 'list') {
      this.#addList(data)
      return
    }
    const { leaf, first } = leafOf(data)
    const end = first + data.length * column.count
    this.nulls += data.nullCount + (leaf === data ? 0 : leaf.nullCount)
    if (column.element.code === 'A') {
      const offsets = leaf.valueOffsets as Int32Array
      const text = leaf.values as Uint8Array
      for (let i = first; i < end; i++) {
        const bytes = this.stringLength(text, offsets[leaf.offset + i]!, offsets[leaf.offset + i + 1]!)
        if (bytes > this.maxBytes) this.maxBytes = bytes
      }
    } else if (column.element.range !== undefined) this.#addExtremes(leaf, first, end)
  }

  #addList(data: Data): void {
    const offsets = data.valueOffsets as Int32Array
    for (let row = 0; row < data.length; row++) {
      const items = offsets[data.offset + row + 1]! - offsets[data.offset + row]!
      if (items > this.maxItems) this.maxItems = items
      this.heapItems += items
    }
    const items = data.children[0]!
    this.nulls += items.nullCount
    this.#addExtremes(items, offsets[data.offset]!, offsets[data.offset + data.length]!)
  }

  #addExtremes(leaf: Data, from: number, to: number): void {
    if (!DataType.isInt(leaf.type)) return
    // Numbers or bigints, compared as they are: one BigInt per batch, not per value.
    const values = leaf.values as ArrayLike<number | bigint>
    let min: number | bigint | undefined
    let max: number | bigint | undefined
    for (let i = from; i < to; i++) {
      if (leaf.nullCount > 0 && !leaf.getValid(i)) continue
      const value = values[leaf.offset + i]!
      if (min === undefined || value < min) min = value
      if (max === undefined || value > max) max = value
    }
    if (min === undefined || max === undefined) return
    if (this.min === undefined || BigInt(min) < this.min) this.min = BigInt(min)
    if (this.max === undefined || BigInt(max) > this.max) this.max = BigInt(max)
  }

  /** Fills in what the column lacked: a width, the longest array, a TNULL no value uses. */
  settle(column: FitsColumn): void {
    if (column.element.code === 'A') column.width ??= this.maxBytes
    if (column.shape === 'list') column.count = this.maxItems
    const range = column.element.range
    if (range === undefined || column.tnull !== undefined || this.nulls === 0) return
    const [low, high] = range
    const free = this.min === undefined || this.min > low ? low : this.max! < high ? high : undefined
    if (free === undefined) {
      throw new AstropackError(
        'USAGE',
        `column ${JSON.stringify(column.field.name)} has nulls and uses both ends of its range: no value is free for TNULL`,
      )
    }
    column.tnull = free - column.element.zero
  }
}

/** One pass over the rows for what the columns do not tell, filled in; the rows counted on the way. */
export async function surveyColumns(
  columns: readonly FitsColumn[],
  batches: AsyncIterable<RecordBatch>,
  stringLength: StringLength = fitsStringLength,
): Promise<{ rows: number; surveys: ColumnSurvey[] }> {
  const surveys = columns.map(() => new ColumnSurvey(stringLength))
  let rows = 0
  for await (const batch of batches) {
    rows += batch.numRows
    columns.forEach((column, c) => {
      if (column.unknown) surveys[c]!.add(column, batch.data.children[c]!)
    })
  }
  columns.forEach((column, c) => {
    if (column.unknown) surveys[c]!.settle(column)
  })
  return { rows, surveys }
}
