import type { Table } from 'apache-arrow'
import { type ByteSource, bytesSource, type CsvArrowOptions, readCsvTable } from '../../src/index.js'

export type Cell = string | number | bigint | boolean | null

const encoder = new TextEncoder()

export function source(text: string | Uint8Array): ByteSource {
  return bytesSource(typeof text === 'string' ? encoder.encode(text) : text)
}

/** Formats a number as astropy/Python would: -0 kept, NaN and inf spelled out, big integral floats with e. */
export function formatNumber(value: number | bigint): string {
  if (typeof value === 'bigint') return String(value)
  if (Number.isNaN(value)) return 'nan'
  if (value === Number.POSITIVE_INFINITY) return 'inf'
  if (value === Number.NEGATIVE_INFINITY) return '-inf'
  if (Object.is(value, -0)) return '-0.0'
  const text = String(value)
  // JavaScript writes 1e20 as 21 digits; an integer that long would read back as an int64 or a string.
  return Math.abs(value) >= 2 ** 53 && /^-?\d+$/.test(text) ? value.toExponential() : text
}

/** One field: null as empty, strings quoted when RFC 4180 needs it (or always, with quoteAll). */
export function formatCell(cell: Cell, delimiter = ',', quoteAll = false): string {
  if (cell === null) return quoteAll ? '""' : ''
  if (typeof cell === 'boolean') return cell ? 'true' : 'false'
  const text = typeof cell === 'string' ? cell : formatNumber(cell)
  const needsQuotes = quoteAll || text.includes(delimiter) || /["\r\n]/.test(text) || text === ''
  return needsQuotes ? `"${text.replaceAll('"', '""')}"` : text
}

export function csvText(
  names: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: { delimiter?: string; lineEnd?: string; finalNewline?: boolean; quoteAll?: boolean } = {},
): string {
  const { delimiter = ',', lineEnd = '\n', finalNewline = true, quoteAll = false } = options
  // A lone empty field would be a blank line, which readers skip: write it as "".
  const line = (row: readonly Cell[]) =>
    row.length === 1 && row[0] === null
      ? '""'
      : row.map((cell) => formatCell(cell, delimiter, quoteAll)).join(delimiter)
  const lines = [names, ...rows].map(line)
  return lines.join(lineEnd) + (finalNewline ? lineEnd : '')
}

/** Columns of a table as plain arrays (nulls as null, Int64 as bigint, Bool as boolean). */
export function tableColumns(table: Table): Cell[][] {
  return table.schema.fields.map((_, c) => {
    const vector = table.getChildAt(c)!
    return Array.from({ length: table.numRows }, (_, row) => vector.get(row) as Cell)
  })
}

export async function readColumns(
  text: string | Uint8Array | ByteSource,
  options: CsvArrowOptions = {},
): Promise<{ names: string[]; types: string[]; columns: Cell[][] }> {
  const input = typeof text === 'string' || text instanceof Uint8Array ? source(text) : text
  const table = await readCsvTable(input, options)
  return {
    names: table.schema.fields.map((field) => field.name),
    types: table.schema.fields.map((field) => String(field.type)),
    columns: tableColumns(table),
  }
}

/** Same value: Object.is for numbers (NaN, -0), numeric equality between number and bigint. */
export function sameCell(a: Cell, b: Cell): boolean {
  if (typeof a === 'bigint' && typeof b === 'number') return Number.isSafeInteger(b) && a === BigInt(b)
  if (typeof a === 'number' && typeof b === 'bigint') return sameCell(b, a)
  return Object.is(a, b)
}
