/** FITS binary-table TFORMs, as the manifest records FITS columns. */

/** FITS binary-table field types and the bytes one element takes (X: bits, counted per byte below). */
const ELEMENT_BYTES = { L: 1, X: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 }
export type FitsTypeCode = keyof typeof ELEMENT_BYTES

export interface FitsForm {
  repeat: number
  code: FitsTypeCode
  /** Bytes the field takes in a row. */
  width: number
}

/** A binary-table TFORM (`rTa`): repeat count, type code and field width; undefined when it is not one. */
export function parseFitsForm(tform: string | undefined): FitsForm | undefined {
  const match = /^\s*(\d*)([LXBIJKAEDCMPQ])/.exec(tform ?? '')
  if (!match) return undefined
  const repeat = match[1] === '' ? 1 : Number(match[1])
  const code = match[2] as FitsTypeCode
  const width = code === 'X' ? Math.ceil(repeat / 8) : repeat * ELEMENT_BYTES[code]
  return Number.isSafeInteger(width) ? { repeat, code, width } : undefined
}
