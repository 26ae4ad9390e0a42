import { type ColumnFields, corrupt, HEADER, newChunk, TextColumnKind } from './chunk.js'

/**
 * Columns of few distinct fields (SPEC §7.2 kind 6): flags, booleans, classes, mostly-empty names. One
 * byte per row indexes a table of the group's distinct fields: `True`/`False` take one bit a row after
 * bitshuffle, where zstd on the text cannot go under one bit per field and its newline.
 */

/** At most this many distinct fields: a code is one byte. */
export const MAX_ENTRIES = 256
/** A longer field is not worth a table entry (and its length must fit a byte). */
const MAX_ENTRY = 255
const latin1 = new TextDecoder('latin1')
const SLOTS = 2 * MAX_ENTRIES
const slots = new Int16Array(SLOTS)

function sameBytes(entry: Uint8Array, group: Uint8Array, a: number, b: number): boolean {
  if (entry.byteLength !== b - a) return false
  for (let i = 0; i < entry.byteLength; i++) if (entry[i] !== group[a + i]) return false
  return true
}

/**
 * Whether a column looks like few values repeated: among every `stride`-th field, at most `limit` distinct
 * ones, and each seen twice on average.
 */
export function fewDistinct(fields: ColumnFields, stride: number, limit: number): boolean {
  const { group, starts, c, trim } = fields
  const seen = new Set<string>()
  let sampled = 0
  for (let k = c; k < starts.length - 1; k += stride, sampled++) {
    const a = starts[k]!
    const b = starts[k + 1]! - 1 - trim
    if (b - a > MAX_ENTRY) return false
    seen.add(latin1.decode(group.subarray(a, b)))
    if (seen.size > limit) return false
  }
  // Fields that mostly differ (a few lines) cost more as entries plus codes than as text.
  return seen.size <= sampled / 2
}

/**
 * The column as a dictionary chunk: header, `count` × u8 codes, `u16` entry count, then each entry as
 * `u8 length` and its bytes. Undefined when the group has more than MAX_ENTRIES distinct fields or a longer
 * one: the caller stores it as text.
 */
export function encodeDictionary(fields: ColumnFields, flags: number): Uint8Array | undefined {
  const { group, starts, c, columnCount, trim } = fields
  const rows = (starts.length - 1) / columnCount
  // Codes by a hash of the field's bytes (open addressing, twice the most entries): no string per field.
  slots.fill(-1)
  const entries: Uint8Array[] = []
  const column = new Uint8Array(rows)
  for (let row = 0, k = c; row < rows; row++, k += columnCount) {
    const a = starts[k]!
    const b = starts[k + 1]! - 1 - trim
    if (b - a > MAX_ENTRY) return undefined
    let hash = 0x811c9dc5
    for (let i = a; i < b; i++) hash = Math.imul(hash ^ group[i]!, 0x01000193)
    let slot = hash & (SLOTS - 1)
    let code = slots[slot]!
    while (code !== -1 && !sameBytes(entries[code]!, group, a, b)) {
      slot = (slot + 1) & (SLOTS - 1)
      code = slots[slot]!
    }
    if (code === -1) {
      if (entries.length === MAX_ENTRIES) return undefined
      code = entries.length
      slots[slot] = code
      entries.push(group.subarray(a, b))
    }
    column[row] = code
  }
  const size = entries.reduce((sum, entry) => sum + 1 + entry.byteLength, HEADER + rows + 2)
  const bytes = newChunk(TextColumnKind.dictionary, 0, rows, size, flags)
  bytes.set(column, HEADER)
  let at = HEADER + rows
  new DataView(bytes.buffer).setUint16(at, entries.length, true)
  at += 2
  for (const entry of entries) {
    bytes[at] = entry.byteLength
    bytes.set(entry, at + 1)
    at += 1 + entry.byteLength
  }
  return bytes
}

/** A dictionary chunk's entries, checked against its length and its codes against their count. */
export function readDictionary(bytes: Uint8Array, count: number): Uint8Array[] {
  let at = HEADER + count + 2
  if (at > bytes.byteLength) throw corrupt('dictionary column too short for its codes')
  const size = bytes[at - 2]! | (bytes[at - 1]! << 8)
  if (size > MAX_ENTRIES) throw corrupt(`dictionary of ${size} entries`)
  const entries: Uint8Array[] = []
  for (let e = 0; e < size; e++) {
    const end = at + 1 + (bytes[at] ?? 0)
    if (end > bytes.byteLength) throw corrupt('dictionary entry past the end')
    entries.push(bytes.subarray(at + 1, end))
    at = end
  }
  for (let row = 0; row < count; row++)
    if (bytes[HEADER + row]! >= size) throw corrupt('dictionary code past its entries')
  return entries
}
