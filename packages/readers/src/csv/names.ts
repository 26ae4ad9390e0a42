/**
 * Column names of a delimited text table, as the CSV reader gives them and as packing records them: its own
 * module, with no dependency, so the packer loads it without Apache Arrow.
 */

/** Names from a header: blanks trimmed, empty ones `colN`, repeats suffixed `_2`, `_3`, ... */
export function uniqueNames(names: readonly string[]): string[] {
  return distinctNames(names.map((raw, i) => (raw.trim() === '' ? `col${i + 1}` : raw.trim())))
}

/** The names with a repeat suffixed `_2`, `_3`, ... (the first keeps its name). */
export function distinctNames(names: readonly string[]): string[] {
  const taken = new Set<string>()
  return names.map((base) => {
    let name = base
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`
    taken.add(name)
    return name
  })
}

/** A number as catalogs write one, or a null word: the fields of a data line, not of a header. */
const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/
const NULLS = new Set(['', 'null', 'NULL', 'NaN', 'nan', 'NA', 'N/A', 'None', '--'])

/**
 * Whether a table's first line is data (a headerless file): numbers and nulls only, at least one number.
 * No header names a column with a number; the CSV reader decides the same on its field kinds.
 */
export function isDataLine(fields: readonly string[]): boolean {
  return (
    fields.some((field) => NUMBER.test(field)) &&
    fields.every((field) => NUMBER.test(field) || NULLS.has(field.trim()))
  )
}
