import { CR, NEWLINE } from './chunk.js'

/**
 * Where the fields of a text table's group start (SPEC §7.2): at delimiters outside quotes, or, for a
 * fixed-width table, at fixed positions in every line. What splitTextGroup cuts columns at.
 */

const QUOTE = 34

// Field starts, reused group after group: a worker encodes one group at a time.
let startsScratch = new Uint32Array(0)

/**
 * Where every field starts, row by row and column by column, plus the group's end: field k spans
 * starts[k] .. starts[k + 1] - 1 (the byte after it is its delimiter or newline; with `crlf`, the last
 * field of a line ends one byte earlier, at its CR). Undefined when a line has another number of fields,
 * or (crlf) a CR stands anywhere but before a newline, or a newline lacks one. Valid until the next call.
 */
export function fieldStarts(
  group: Uint8Array,
  delimiter: number,
  columnCount: number,
  crlf: boolean,
): Uint32Array | undefined {
  // Room for as many lines as the first line's length suggests, with a margin; when the lines run
  // shorter, the count says how many fields there are and a second pass fills a table that size.
  const firstLine = group.indexOf(NEWLINE) + 1
  const estimate = Math.ceil((group.byteLength / Math.max(firstLine, 1)) * 1.25 + 16) * columnCount + 1
  if (startsScratch.length < estimate) startsScratch = new Uint32Array(estimate)
  const scan = group.includes(QUOTE) ? scanQuotedFields : scanFields
  let k = scan(group, delimiter, columnCount, startsScratch)
  if (k > startsScratch.length) {
    startsScratch = new Uint32Array(k)
    k = scan(group, delimiter, columnCount, startsScratch)
  }
  if (k === -1) return undefined
  const starts = startsScratch.subarray(0, k)
  if (crlf) {
    // A CR before every newline and nowhere else: as many CRs as lines.
    let crs = 0
    for (let at = group.indexOf(CR); at !== -1; at = group.indexOf(CR, at + 1)) crs++
    if (crs !== (k - 1) / columnCount) return undefined
    for (let line = columnCount; line < k; line += columnCount)
      if (group[starts[line]! - 2] !== CR) return undefined
  }
  return starts
}

/**
 * Whether the line [line, end) (end: its LF) is one of a fixed-width table's: the delimiter at each of
 * `separators` and, with `crlf`, a CR before the LF (without, none). The last field runs to the line's
 * end, so a line may be longer (a name after the last column).
 */
function isFixedLine(
  group: Uint8Array,
  line: number,
  end: number,
  delimiter: number,
  separators: readonly number[],
  crlf: boolean,
): boolean {
  const content = end - line - (crlf ? 1 : 0)
  if (content <= (separators.at(-1) ?? -1) || (group[end - 1] === CR) !== crlf) return false
  for (const at of separators) if (group[line + at] !== delimiter) return false
  return true
}

/**
 * Where the first line of `group` that is not one of a fixed-width table's starts (see isFixedLine), or
 * the end of its last whole line: a packer ends a group there, so one odd line (a footer) does not make a
 * whole group plain text.
 */
export function fixedLinesEnd(
  group: Uint8Array,
  delimiter: number,
  separators: readonly number[],
  crlf: boolean,
): number {
  let line = 0
  for (let end = group.indexOf(NEWLINE); end !== -1; end = group.indexOf(NEWLINE, line)) {
    if (!isFixedLine(group, line, end, delimiter, separators, crlf)) return line
    line = end + 1
  }
  return line
}

/**
 * fieldStarts for a fixed-width table: fields start at the line's start and after each of `separators`.
 * Undefined when a line is not one of the table's (isFixedLine) or, with CR LF, a CR stands elsewhere.
 */
export function fixedFieldStarts(
  group: Uint8Array,
  delimiter: number,
  separators: readonly number[],
  crlf: boolean,
): Uint32Array | undefined {
  const columnCount = separators.length + 1
  let k = 0
  for (let line = 0; line < group.byteLength; ) {
    const end = group.indexOf(NEWLINE, line)
    if (!isFixedLine(group, line, end, delimiter, separators, crlf)) return undefined
    if (k + columnCount + 1 > startsScratch.length) {
      const grown = new Uint32Array(Math.max(1024, startsScratch.length * 2))
      grown.set(startsScratch)
      startsScratch = grown
    }
    startsScratch[k++] = line
    for (const at of separators) startsScratch[k++] = line + at + 1
    line = end + 1
  }
  startsScratch[k++] = group.byteLength
  if (crlf) {
    let crs = 0
    for (let at = group.indexOf(CR); at !== -1; at = group.indexOf(CR, at + 1)) crs++
    if (crs !== (k - 1) / columnCount) return undefined
  }
  return startsScratch.subarray(0, k)
}

/**
 * Fills `starts` (see fieldStarts) in one byte loop, 1.5-2x faster than an indexOf per field on catalog
 * lines (short fields, many calls). Returns how many entries the group needs, even beyond `starts`' end
 * (a typed array ignores writes past it), or -1 when a line has another number of fields.
 */
function scanFields(group: Uint8Array, delimiter: number, columnCount: number, starts: Uint32Array): number {
  const size = group.byteLength
  const last = columnCount - 1
  starts[0] = 0
  let k = 1
  let c = 0 // fields started on the current line
  for (let i = 0; i < size; i++) {
    const byte = group[i]
    if (byte === delimiter) {
      starts[k++] = i + 1
      c++
    } else if (byte === NEWLINE) {
      if (c !== last) return -1
      starts[k++] = i + 1
      c = 0
    }
  }
  return k
}

/**
 * scanFields for a group with quotes: a field that starts with a quote runs to its closing quote (two
 * quotes inside stand for one), so delimiters inside it do not end it. Returns -1, as for a wrong field
 * count, when a quoted field holds a line break or something other than a delimiter or line end follows
 * its closing quote: such groups are kept whole.
 */
function scanQuotedFields(
  group: Uint8Array,
  delimiter: number,
  columnCount: number,
  starts: Uint32Array,
): number {
  const size = group.byteLength
  const last = columnCount - 1
  starts[0] = 0
  let k = 1
  let c = 0
  let i = 0 // the start of a field
  while (i < size) {
    if (group[i] === QUOTE) {
      i++
      for (;;) {
        const byte = group[i++]
        if (byte === undefined || byte === NEWLINE || byte === CR) return -1
        if (byte === QUOTE) {
          if (group[i] !== QUOTE) break
          i++
        }
      }
      const next = group[i]
      if (next !== delimiter && next !== NEWLINE && next !== CR) return -1
    }
    for (; i < size; i++) {
      const byte = group[i]
      if (byte === delimiter) {
        starts[k++] = i + 1
        c++
        break
      }
      if (byte === NEWLINE) {
        if (c !== last) return -1
        starts[k++] = i + 1
        c = 0
        break
      }
    }
    i++
  }
  return k
}
