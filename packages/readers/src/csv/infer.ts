import { BOOL, FLOAT, INT_HUGE, INT32, INT53, INT64, type Kind, NAN_NULL, TEXT } from './classify.js'

export type CsvColumnType = 'int32' | 'int64' | 'float64' | 'bool' | 'string'

export interface CsvColumn {
  name: string
  type: CsvColumnType
}

/** A set of field kinds as bits, so a column's whole history is one number. */
export const kindBit = (kind: Kind): number => 1 << kind

const INTEGERS = kindBit(INT32) | kindBit(INT53) | kindBit(INT64) | kindBit(INT_HUGE)

/**
 * The narrowest type that holds every value seen without changing any: int32, then int64, then float64
 * (only while every integer is exact in a double, |v| <= 2^53), then string. Booleans mixed with numbers,
 * and integers beyond int64, are strings. A column of nothing but nulls is a string column.
 */
export function columnType(seen: number): CsvColumnType {
  if (seen & kindBit(TEXT)) return 'string'
  if (seen & kindBit(BOOL)) return seen & (INTEGERS | kindBit(FLOAT)) ? 'string' : 'bool'
  if (seen & kindBit(INT_HUGE)) return 'string'
  if (seen & kindBit(FLOAT)) return seen & kindBit(INT64) ? 'string' : 'float64'
  if (seen & (kindBit(INT64) | kindBit(INT53))) return 'int64'
  if (seen & kindBit(INT32)) return 'int32'
  if (seen & kindBit(NAN_NULL)) return 'float64'
  return 'string'
}
