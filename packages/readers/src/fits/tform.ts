import type { FitsPlace } from './errors.js'
import { fitsError } from './errors.js'

/** Binary-table element types (FITS 4.0 Table 18), besides the P/Q array descriptors. */
export type ElementType = 'L' | 'X' | 'B' | 'I' | 'J' | 'K' | 'A' | 'E' | 'D' | 'C' | 'M'

/** Bytes per element; X counts bits and is sized per field instead. */
export const ELEMENT_BYTES: Readonly<Record<ElementType, number>> = {
  L: 1,
  X: 1,
  B: 1,
  I: 2,
  J: 4,
  K: 8,
  A: 1,
  E: 4,
  D: 8,
  C: 8,
  M: 16,
}

/** A parsed binary-table TFORMn such as `25E`, `100A`, `1PE(29)` or `2QJ`. */
export interface BinaryForm {
  raw: string
  /** r in rT: how many elements (bits for X) each row holds; for P/Q how many descriptors (0 or 1). */
  repeat: number
  /** T in rT: an element type, or P (32-bit) / Q (64-bit) heap descriptor. */
  type: ElementType | 'P' | 'Q'
  /** The element type stored: T itself, or the type in the heap for P/Q. */
  element: ElementType
  /** The maximum array length given as `(emax)` after P/Q. */
  maxLength: number | undefined
  /** Bytes the field takes in a row. */
  width: number
}

const BINARY_FORM = /^\s*(\d*)\s*([LXBIJKAEDCMPQ])(.*)$/
const DESCRIPTOR_REST = /^([LXBIJKAEDCM])\s*(?:\((\d+)\))?\s*$/

export function parseBinaryForm(text: string, place: FitsPlace): BinaryForm {
  const match = BINARY_FORM.exec(text)
  if (!match) throw fitsError('CORRUPT_CHUNK', place, `cannot parse TFORM '${text}'`)
  const repeat = match[1] === '' ? 1 : Number(match[1])
  if (!Number.isSafeInteger(repeat))
    throw fitsError('LIMIT_EXCEEDED', place, `repeat count ${match[1]} is too large`)
  const type = match[2] as BinaryForm['type']
  const rest = match[3]!
  if (type === 'P' || type === 'Q') {
    const descriptor = DESCRIPTOR_REST.exec(rest)
    if (!descriptor) throw fitsError('CORRUPT_CHUNK', place, `cannot parse array descriptor TFORM '${text}'`)
    if (repeat > 1)
      throw fitsError('CORRUPT_CHUNK', place, `array descriptor repeat must be 0 or 1, not ${repeat}`)
    const maxLength = descriptor[2] === undefined ? undefined : Number(descriptor[2])
    const element = descriptor[1] as ElementType
    return { raw: text, repeat, type, element, maxLength, width: repeat * (type === 'P' ? 8 : 16) }
  }
  // `rAw` (substring convention) may follow A; anything after a numeric type is an error.
  if (type !== 'A' && rest.trim() !== '')
    throw fitsError('CORRUPT_CHUNK', place, `unexpected text in TFORM '${text}'`)
  const width = type === 'X' ? Math.ceil(repeat / 8) : repeat * ELEMENT_BYTES[type]
  return { raw: text, repeat, type, element: type, maxLength: undefined, width }
}

/** A parsed ASCII-table TFORMn: Aw, Iw, Fw.d, Ew.d or Dw.d. */
export interface AsciiForm {
  raw: string
  type: 'A' | 'I' | 'F' | 'E' | 'D'
  width: number
  decimals: number
}

const ASCII_FORM = /^\s*([AIFED])(\d+)(?:\.(\d+))?\s*$/

export function parseAsciiForm(text: string, place: FitsPlace): AsciiForm {
  const match = ASCII_FORM.exec(text)
  if (!match) throw fitsError('CORRUPT_CHUNK', place, `cannot parse ASCII-table TFORM '${text}'`)
  const width = Number(match[2])
  if (!Number.isSafeInteger(width) || width === 0)
    throw fitsError('CORRUPT_CHUNK', place, `bad field width in '${text}'`)
  const type = match[1] as AsciiForm['type']
  return { raw: text, type, width, decimals: match[3] === undefined ? 0 : Number(match[3]) }
}

/** TDIMn such as `(5,5)`: lengths, fastest-varying first; undefined when absent or unreadable. */
export function parseTdim(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined
  const match = /^\s*\(([\d\s,]+)\)\s*$/.exec(text)
  if (!match) return undefined
  const dims = match[1]!.split(',').map((part) => Number(part.trim()))
  return dims.every((dim) => Number.isSafeInteger(dim) && dim >= 0) ? dims : undefined
}
