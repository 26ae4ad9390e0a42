/** A cell as make-fixtures.py writes astropy's value: bigints as strings, infinities spelled, arrays flat. */
export function plainCell(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'bigint') return String(value)
  if (typeof value === 'number') {
    if (value === Number.POSITIVE_INFINITY) return 'Infinity'
    if (value === Number.NEGATIVE_INFINITY) return '-Infinity'
    return value
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value
  // Arrow list cells are Vectors (or typed arrays): flatten complex pairs into the list, as the JSON does.
  return [...(value as Iterable<unknown>)].flatMap((item) => {
    const element = plainCell(item)
    return Array.isArray(element) ? element : [element]
  })
}
