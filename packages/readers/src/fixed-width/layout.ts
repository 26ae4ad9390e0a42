/**
 * Fixed-width text tables (IERS series, CDS/VizieR `.dat` files, Fortran-formatted catalogs): every data
 * line has its fields at the same byte positions, right- or left-aligned with spaces. Its own module, with
 * no dependency, so the packer loads it without Apache Arrow.
 */

import { uniqueNames } from '../csv/names.js'

const NEWLINE = 10
const CR = 13
const SPACE = 32
const TAB = 9
const HASH = 35
const BAR = 124

/** Header lines right above the data that may name its columns (IPAC: names, types, units, nulls). */
const HEADER_WINDOW = 4

/**
 * How much of a file's start the table is looked for in, by the packer and the reader alike: enough lines
 * that the commonest length is the data's, under a long header or above bright stars listed with their
 * names (KStars' stars.dat).
 */
export const FIXED_WIDTH_SAMPLE_BYTES = 1024 * 1024

/** A table needs at least this many data lines in the sample to be recognised. */
export const MIN_FIXED_WIDTH_LINES = 8

/** The byte range of one field within a line: [start, end). The last field runs to the line's end. */
export interface FixedWidthField {
  name: string
  start: number
  end: number
}

export interface FixedWidthLayout {
  /** Offset of the first data line in the bytes looked at. */
  dataStart: number
  /** Lines end with CR LF (every sampled data line does). */
  crlf: boolean
  /**
   * Fields in order. Each but the last ends at a byte that is a space on every data line (the separator);
   * the next starts right after it. The first starts at 0. The last field runs from its start to the line's
   * end: longer lines (a name appended) keep their extra text there.
   */
  fields: FixedWidthField[]
  /** Where the sampled run of data lines ends (the table may go on past the bytes looked at). */
  sampledEnd: number
}

/** A field of a data line read as a number: what tells a table from prose. */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eEdD][-+]?\d+)?$/

interface Line {
  start: number
  /** Content length, without LF or CR LF. */
  length: number
  crlf: boolean
}

function linesOf(bytes: Uint8Array): Line[] {
  const lines: Line[] = []
  let start = 0
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, start)) {
    const crlf = at > start && bytes[at - 1] === CR
    lines.push({ start, length: at - start - (crlf ? 1 : 0), crlf })
    start = at + 1
  }
  return lines
}

/**
 * The commonest line lengths, commonest first, among lines that could be data (not blank, not `#`
 * comments) and common enough to be (MIN_FIXED_WIDTH_LINES of them).
 */
function commonLengths(bytes: Uint8Array, lines: readonly Line[], count: number): number[] {
  const counts = new Map<number, number>()
  for (const line of lines)
    if (line.length > 0 && bytes[line.start] !== HASH)
      counts.set(line.length, (counts.get(line.length) ?? 0) + 1)
  return [...counts]
    .filter(([length, n]) => length >= 3 && n >= MIN_FIXED_WIDTH_LINES)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([length]) => length)
}

/** Lines at the start of a run that may be a header as wide as the data. */
const HEADER_LINES = 8

/** Line lengths tried as the table's width: a few, since a table's lines may be longer but not shorter. */
const WIDTH_CANDIDATES = 4

/**
 * The run of data lines for a width: from the first MIN_FIXED_WIDTH_LINES lines at least that long, on
 * while lines are (and end alike); undefined without one.
 */
function runOf(lines: readonly Line[], width: number): { first: number; last: number } | undefined {
  let first = 0
  for (; first + MIN_FIXED_WIDTH_LINES <= lines.length; first++) {
    let k = 0
    while (k < MIN_FIXED_WIDTH_LINES && lines[first + k]!.length >= width) k++
    if (k === MIN_FIXED_WIDTH_LINES) break
  }
  if (first + MIN_FIXED_WIDTH_LINES > lines.length) return undefined
  let last = first
  while (last < lines.length && lines[last]!.length >= width && lines[last]!.crlf === lines[first]!.crlf)
    last++
  return { first, last }
}

/**
 * Finds a fixed-width table in a file's first bytes. Its data lines are a run that starts at the first of
 * MIN_FIXED_WIDTH_LINES lines at least as long as one of the commonest line lengths and goes on while lines
 * are (header lines above it stay outside); the run covering most bytes that makes a table wins. Fields
 * are split at byte positions that are spaces on every line of the run, or under an IPAC header at its
 * bars (when those are spaces on every line); at least two fields, one of them numbers on every line.
 * Undefined for anything else (CSV, prose, binary data, tabs, lines of mixed CR LF and LF).
 */
export function findFixedWidthTable(bytes: Uint8Array): FixedWidthLayout | undefined {
  const lines = linesOf(bytes)
  // Runs by the bytes they cover, most first: the commonest length may be that of the first lines only
  // (KStars lists its brightest stars first, with their names after the columns).
  const runs = commonLengths(bytes, lines, WIDTH_CANDIDATES).flatMap((width) => {
    const run = runOf(lines, width)
    if (!run) return []
    const end = lines[run.last - 1]!
    return [{ ...run, width, covered: end.start + end.length - lines[run.first]!.start }]
  })
  runs.sort((a, b) => b.covered - a.covered || b.width - a.width)
  for (const { first, last, width } of runs) {
    // Header lines as long as the data's (IPAC's `|ra|dec|` lines) start the run: tried without them.
    for (let skip = 0; skip <= HEADER_LINES && last - first - skip >= MIN_FIXED_WIDTH_LINES; skip++) {
      const layout = layoutOf(bytes, lines, first + skip, last, width)
      if (layout) return layout
    }
  }
  return undefined
}

/** The table whose data lines are lines[first, last), its fields within the first `width` bytes. */
function layoutOf(
  bytes: Uint8Array,
  lines: readonly Line[],
  first: number,
  last: number,
  width: number,
): FixedWidthLayout | undefined {
  const run = lines.slice(first, last)
  // A position is a separator when every line of the run has a space there.
  const blank = new Uint8Array(width).fill(1)
  for (const { start, length } of run) {
    for (let i = 0; i < length; i++) {
      const byte = bytes[start + i]!
      if (byte === TAB || byte < SPACE) return undefined
      if (i < width && byte !== SPACE) blank[i] = 0
    }
  }
  // An IPAC table's header bars say where its fields end, spaces inside a field's values or not (`IRS
  // Peakup Image`). Else a field ends at the first separator after a run of filled positions.
  const above = lines.slice(0, first)
  // The first bar opens the first field, the last closes the last, which runs to the line's end.
  const bars = ipacBars(bytes, above)
    ?.slice(1, -1)
    .filter((at) => at < width)
  let ends: number[] = []
  if (bars && bars.length > 0 && bars.every((at) => blank[at] === 1)) ends = bars
  else {
    for (let i = 1; i < width; i++) if (blank[i] && !blank[i - 1]) ends.push(i)
    // Separators at the end of every line are the last field's trailing spaces, not a boundary.
    if (ends.length > 0 && blank.subarray(ends.at(-1)!).every((b) => b === 1)) ends.pop()
  }
  if (ends.length === 0) return undefined
  const starts = [0, ...ends.map((end) => end + 1)]
  const fields = starts.map((start, c) => ({ name: '', start, end: ends[c] ?? width }))
  const numeric = fields.some(({ start, end }) =>
    run.every((line) => NUMBER.test(text(bytes, line.start + start, line.start + end))),
  )
  if (!numeric) return undefined
  const names = headerNames(bytes, above, fields)
  fields.forEach((field, c) => {
    field.name = names[c]!
  })
  const end = run.at(-1)!
  return {
    dataStart: run[0]!.start,
    crlf: run[0]!.crlf,
    fields,
    sampledEnd: end.start + end.length + (end.crlf ? 2 : 1),
  }
}

const utf8 = new TextDecoder()

/**
 * The positions of the bars of an IPAC table's names line (`|  ra|  dec|`), the first of the lines above
 * the data (at most HEADER_WINDOW of them) that starts and ends with a bar; undefined without one.
 */
function ipacBars(bytes: Uint8Array, above: readonly Line[]): number[] | undefined {
  for (const line of above.slice(-HEADER_WINDOW)) {
    let end = line.length
    while (end > 0 && bytes[line.start + end - 1] === SPACE) end--
    if (bytes[line.start] !== BAR || end < 2 || bytes[line.start + end - 1] !== BAR) continue
    const bars: number[] = []
    for (let i = 0; i < end; i++) if (bytes[line.start + i] === BAR) bars.push(i)
    return bars
  }
  return undefined
}

function text(bytes: Uint8Array, start: number, end: number): string {
  return utf8.decode(bytes.subarray(start, end)).trim()
}

/**
 * Column names from a header line above the data: of the last HEADER_WINDOW, the first that names most fields
 * (IPAC's names line, not its types, units or nulls below it). A field is named by the words that lie
 * within its bytes (`x Err`); a word across two fields (`Date` over year, month and day) names neither;
 * fields left without a name, and all of them when no line names half, are col1, col2, ... A word needs a
 * letter: a line of units marks (`"`) names nothing.
 */
function headerNames(
  bytes: Uint8Array,
  above: readonly Line[],
  fields: readonly FixedWidthField[],
): string[] {
  let best: (string | undefined)[] = []
  let bestCount = 0
  for (const line of above.slice(-HEADER_WINDOW)) {
    const names = lineNames(bytes, line, fields)
    const count = names.filter((name) => name !== undefined).length
    if (count > bestCount && count * 2 >= fields.length) [best, bestCount] = [names, count]
  }
  return uniqueNames(fields.map((_, c) => best[c] ?? ''))
}

const LETTER = /\p{L}/u
/** What separates the words of a title line: spaces, and the bars of IPAC tables (`|   ra|  dec|`). */
const isGap = (byte: number) => byte === SPACE || byte === BAR

/** The names one header line gives the fields (see headerNames), undefined where it gives none. */
function lineNames(
  bytes: Uint8Array,
  line: Line,
  fields: readonly FixedWidthField[],
): (string | undefined)[] {
  const names: (string | undefined)[] = fields.map(() => undefined)
  const straddled = new Set<number>()
  const last = fields.length - 1
  for (let i = 0; i < line.length; ) {
    while (i < line.length && isGap(bytes[line.start + i]!)) i++
    const start = i
    while (i < line.length && !isGap(bytes[line.start + i]!)) i++
    if (i === start) continue
    const word = text(bytes, line.start + start, line.start + i)
    // Fields' spans include their padding and, for a title one byte wider, the separator before them;
    // the last runs on to the line's end.
    const c = fields.findIndex((field, k) => start >= field.start - 1 && (k === last || i <= field.end))
    if (c === -1) {
      fields.forEach((field, k) => {
        if (start < (k === last ? line.length : field.end) && i > field.start) straddled.add(k)
      })
    } else if (LETTER.test(word)) names[c] = names[c] === undefined ? word : `${names[c]} ${word}`
  }
  for (const c of straddled) names[c] = undefined
  return names
}
