import type { ColumnKind, NumericArray } from './decode-elements.js'
import { type Utf8Strings, utf8ToStrings } from './strings.js'

/**
 * One decoded column of a batch of rows, in the form Arrow wants it: numbers in typed arrays, strings as
 * UTF-8 bytes with offsets.
 */
export interface FieldData {
  kind: ColumnKind
  rowCount: number
  /**
   * Values per row for fixed-size fields: elements (bits for X, strings for A, two numbers per complex).
   * 1 for variable-length strings (one string per row); 0 for other variable-length fields.
   */
  perRow: number
  values: NumericArray | Utf8Strings
  /** 1 where a value is null (per value, not per row). */
  nulls: Uint8Array | undefined
  /** Variable-length (P/Q) fields except strings: row r holds values offsets[r] to offsets[r + 1]. */
  offsets: Int32Array | undefined
  /** TSCAL/TZERO were applied to the stored numbers. */
  scaled: boolean
}

/** A decoded column as a caller sees it: like FieldData, with strings as JS strings. */
export interface ColumnData extends Omit<FieldData, 'values'> {
  name: string
  values: NumericArray | string[]
}

export function toColumnData(name: string, field: FieldData): ColumnData {
  const values = isUtf8(field.values) ? utf8ToStrings(field.values) : field.values
  return { ...field, name, values }
}

export function isUtf8(values: FieldData['values']): values is Utf8Strings {
  return !ArrayBuffer.isView(values)
}
