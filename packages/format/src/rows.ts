/** Moving between fixed-width rows and the columns a rows segment stores (SPEC §7.1). */

export interface ColumnSlice {
  offset: number
  width: number
}

/** Splits `rows` (each `rowWidth` bytes) into one array per column, each holding that column's bytes row after row. */
export function splitRows(rows: Uint8Array, rowWidth: number, columns: readonly ColumnSlice[]): Uint8Array[] {
  const count = rows.byteLength / rowWidth
  return columns.map(({ offset, width }) => {
    const out = new Uint8Array(count * width)
    if (width === 1) {
      for (let r = 0, from = offset; r < count; r++, from += rowWidth) out[r] = rows[from]!
    } else {
      for (let r = 0, from = offset, to = 0; r < count; r++, from += rowWidth, to += width) {
        for (let b = 0; b < width; b++) out[to + b] = rows[from + b]!
      }
    }
    return out
  })
}

/** The inverse of splitRows: rebuilds the rows from the column arrays, into `out` when given. */
export function joinRows(
  parts: readonly Uint8Array[],
  rowWidth: number,
  columns: readonly ColumnSlice[],
  rowCount: number,
): Uint8Array {
  const out = new Uint8Array(rowCount * rowWidth)
  columns.forEach(({ offset, width }, c) => {
    const part = parts[c]!
    if (width === 1) {
      for (let r = 0, to = offset; r < rowCount; r++, to += rowWidth) out[to] = part[r]!
    } else {
      for (let r = 0, to = offset, from = 0; r < rowCount; r++, to += rowWidth, from += width) {
        for (let b = 0; b < width; b++) out[to + b] = part[from + b]!
      }
    }
  })
  return out
}
