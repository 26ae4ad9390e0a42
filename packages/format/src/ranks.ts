import { AstropackError } from './errors.js'

/**
 * Ranked code columns of a rows segment (SPEC §7.1, relation 10, feature bit 9). A one-byte code that
 * depends on another column of its row (astrometry.net's uniformisation sweep on the star's magnitude, a
 * quality flag on brightness) takes few values among rows whose other column is alike. Each row's code is
 * stored as its rank in the running order of codes, most frequent first, among earlier rows of the group
 * in the same context: a slice of the other column's bits. Tycho-2's sweep takes 8 bits a row as itself
 * and 3.3 as ranks given 10 bits of its magnitude.
 */

export const RANKED = 10
/** Contexts of a ranked column: a row's is (its source value >> shift) mod CONTEXTS. */
export const CONTEXTS = 1024

/** A column of a group read as unsigned integers: its bytes, width (1, 2, 4 or 8) and byte order. */
export interface ContextColumn {
  bytes: Uint8Array
  width: number
  bigEndian: boolean
}

/**
 * Where a row's context lies in its source value: bits shift to shift + 9, in three bytes of the value at
 * most (offsets within it, -1 past its width), read as such (a DataView a row took twice as long).
 */
function contextBytes(source: ContextColumn, shift: number): [number, number, number, number] {
  const { width, bigEndian } = source
  // Byte k of the value (from its least significant) sits at offset k (little-endian) or width - 1 - k.
  const at = (k: number) => (k >= width ? -1 : bigEndian ? width - 1 - k : k)
  const low = shift >> 3
  return [at(low), at(low + 1), at(low + 2), shift & 7]
}

/**
 * The running order of the 256 codes in every context, their counts by place (SPEC §7.1's model) and,
 * for ranking, each code's place: one set, made on first use and reset for each column (a fresh 1.5 MB
 * model each time was most of the search).
 */
let model: { counts: Uint32Array; order: Uint8Array; position: Uint8Array; identity: Uint8Array } | undefined

function freshModel(ranking: boolean): NonNullable<typeof model> {
  if (!model) {
    // 0, 1, ..., 255 in every context, copied in doublings (a callback a byte took 30 ms at start-up).
    const identity = new Uint8Array(CONTEXTS * 256)
    for (let code = 0; code < 256; code++) identity[code] = code
    for (let filled = 256; filled < identity.length; filled *= 2) identity.copyWithin(filled, 0, filled)
    model = {
      counts: new Uint32Array(CONTEXTS * 256),
      order: identity.slice(),
      position: identity.slice(),
      identity,
    }
  }
  model.counts.fill(0)
  model.order.set(model.identity)
  if (ranking) model.position.set(model.identity) // the decoder needs no places of codes
  return model
}

/** Places a count may climb by looking at its neighbours one by one, before bisection takes over. */
const NEAR_PLACES = 8

/**
 * Counts the code at place `at` of a context's order once more and swaps it, and its count, with the first
 * code of the order whose count is now smaller than its own, if that one is before it; returns where it
 * went. Counts are kept by place, so they never grow along the order: the place is most often a few
 * before `at`, so it is scanned for (bisection alone, mostly mispredicted branches, took 16-17 ns a row on
 * Tycho-2, this 11-12), and found by bisection beyond NEAR_PLACES, so long runs of equal counts cost little.
 */
function countAt(counts: Uint32Array, order: Uint8Array, base: number, at: number): number {
  const count = ++counts[base + at]!
  const near = at > NEAR_PLACES ? at - NEAR_PLACES : 0
  let to = at
  while (to > near && counts[base + to - 1]! < count) to--
  if (to === near && near > 0 && counts[base + to - 1]! < count) {
    let high = to - 1
    to = 0
    while (to < high) {
      const middle = (to + high) >>> 1
      if (counts[base + middle]! < count) high = middle
      else to = middle + 1
    }
  }
  if (to !== at) {
    const code = order[base + at]!
    order[base + at] = order[base + to]!
    order[base + to] = code
    counts[base + at] = counts[base + to]!
    counts[base + to] = count
  }
  return to
}

/**
 * Each row's rank, its code's place in its context's running order (contexts of `source` at `shift`):
 * into `out` from `at`.
 */
export function rankCodes(
  codes: Uint8Array,
  source: ContextColumn,
  shift: number,
  out: Uint8Array,
  at = 0,
): void {
  const { counts, order, position } = freshModel(true)
  const { bytes, width } = source
  const [o0, o1, o2, bit] = contextBytes(source, shift)
  for (let row = 0, b = 0; row < codes.length; row++, b += width) {
    const v =
      (o0 < 0 ? 0 : bytes[b + o0]!) | (o1 < 0 ? 0 : bytes[b + o1]! << 8) | (o2 < 0 ? 0 : bytes[b + o2]! << 16)
    const base = ((v >>> bit) & (CONTEXTS - 1)) << 8
    const code = codes[row]!
    const rank = position[base + code]!
    out[at + row] = rank
    const to = countAt(counts, order, base, rank)
    if (to !== rank) {
      position[base + order[base + rank]!] = rank
      position[base + code] = to
    }
  }
}

/** The codes of `ranks` (the inverse of rankCodes; the decoder needs no places of codes). */
export function codesOfRanks(ranks: Uint8Array, source: ContextColumn, shift: number): Uint8Array {
  const { counts, order } = freshModel(false)
  const { bytes, width } = source
  const [o0, o1, o2, bit] = contextBytes(source, shift)
  const codes = new Uint8Array(ranks.length)
  for (let row = 0, b = 0; row < ranks.length; row++, b += width) {
    const v =
      (o0 < 0 ? 0 : bytes[b + o0]!) | (o1 < 0 ? 0 : bytes[b + o1]! << 8) | (o2 < 0 ? 0 : bytes[b + o2]! << 16)
    const base = ((v >>> bit) & (CONTEXTS - 1)) << 8
    const rank = ranks[row]!
    codes[row] = order[base + rank]!
    countAt(counts, order, base, rank)
  }
  return codes
}

/**
 * A ranked record: u8 10, u8 tag, u16 source, u16 shift, then 10 zero bytes. The tag is the source's byte
 * order in a rows segment (0 little-endian, 1 big-endian) and the kind the chunk stands for in a text table.
 */
export interface RankedRecord {
  source: number
  shift: number
  tag: number
}

export const RANKED_RECORD_BYTES = 16

export function writeRankedRecord(out: Uint8Array, record: RankedRecord): void {
  const view = new DataView(out.buffer, out.byteOffset, RANKED_RECORD_BYTES)
  out.fill(0, 0, RANKED_RECORD_BYTES)
  out[0] = RANKED
  out[1] = record.tag
  view.setUint16(2, record.source, true)
  view.setUint16(4, record.shift, true)
}

/** The ranked record at the start of `bytes`, checked but for its tag: CORRUPT_CHUNK when damaged. */
export function readRankedRecord(bytes: Uint8Array): RankedRecord {
  if (bytes.byteLength < RANKED_RECORD_BYTES || bytes[0] !== RANKED)
    throw new AstropackError('CORRUPT_CHUNK', 'ranked column: no ranked record')
  const view = new DataView(bytes.buffer, bytes.byteOffset, RANKED_RECORD_BYTES)
  const shift = view.getUint16(4, true)
  if (shift > 63 || bytes.subarray(6, RANKED_RECORD_BYTES).some((b) => b !== 0))
    throw new AstropackError('CORRUPT_CHUNK', 'ranked column: a shift over 63 or a reserved byte not 0')
  return { source: view.getUint16(2, true), shift, tag: bytes[1]! }
}

/** Rows the writer's search models (the first ones of the group: the model learns as it goes). */
const SEARCH_ROWS = 1 << 16
/** Rows every source and shift is first tried on; the best PROBE_KEPT of them are then tried on all. */
const PROBE_ROWS = 4096
const PROBE_KEPT = 2
/** A source must save this many bits a row on the search rows against the codes' own entropy. */
const MIN_SAVING = 1
/** Source columns the search tries per code column (its first ones). */
const MAX_SOURCES = 16

/** A code column to store ranked: by the contexts of which source, at which shift. */
export interface RankedChoice {
  target: number
  source: number
  shift: number
}

/**
 * The one-byte columns of a group worth storing as ranks, and how: for each (in column order), the source
 * and shift whose ranks have the lowest entropy on the first SEARCH_ROWS rows, if MIN_SAVING bits a row
 * below the codes' own. A column is a source or ranked, never both. `columns[c]` is undefined for a
 * column that cannot take part (a prediction's target, or a column of unknown byte order).
 */
export function findRankedColumns(
  columns: readonly (ContextColumn | undefined)[],
  rows: number,
): RankedChoice[] {
  const n = Math.min(rows, SEARCH_ROWS)
  if (n < 2) return []
  const chosen: RankedChoice[] = []
  const ranked = new Set<number>()
  const used = new Set<number>()
  columns.forEach((column, target) => {
    if (column?.width !== 1 || used.has(target)) return
    // What the codes take as they are: the lesser of their entropy and their steps' (a day of the month
    // steps by one, which zstd finds and ranks would hide).
    const codes = column.bytes.subarray(0, n)
    const own = Math.min(entropy(codes), entropy(steps(codes)))
    if (own < MIN_SAVING) return
    const tries: { source: number; shift: number; bits: number }[] = []
    columns.forEach((source, s) => {
      if (!source || s === target || ranked.has(s) || tries.length >= MAX_SOURCES * 4) return
      for (const shift of shiftsToTry(source, n))
        tries.push({ source: s, shift, bits: rankEntropy(column, source, shift, Math.min(n, PROBE_ROWS)) })
    })
    tries.sort((x, y) => x.bits - y.bits)
    let best: RankedChoice | undefined
    let bound = own - MIN_SAVING
    for (const t of tries.slice(0, PROBE_KEPT)) {
      const bits = rankEntropy(column, columns[t.source]!, t.shift, n)
      if (bits < bound) {
        bound = bits
        best = { target, source: t.source, shift: t.shift }
      }
    }
    if (!best) return
    chosen.push(best)
    ranked.add(target)
    used.add(best.source)
  })
  return chosen
}

/** The entropy of the first `rows` ranks of `codes` in contexts of `source` at `shift`. */
function rankEntropy(codes: ContextColumn, source: ContextColumn, shift: number, rows: number): number {
  const ranks = new Uint8Array(rows)
  rankCodes(codes.bytes.subarray(0, rows), source, shift, ranks)
  return entropy(ranks)
}

/**
 * Shifts whose 10-bit contexts start 9 to 15 bits below the highest bit that varies over the rows: fine
 * enough to tell values apart, coarse enough that each context sees many rows.
 */
function shiftsToTry(source: ContextColumn, rows: number): number[] {
  const { bytes, width, bigEndian } = source
  // Per byte of the value (least significant first), the bits that differ from the first row's.
  const varying = new Uint8Array(width)
  for (let row = 1, base = width; row < Math.min(rows, PROBE_ROWS); row++, base += width)
    for (let o = 0; o < width; o++) varying[bigEndian ? width - 1 - o : o]! |= bytes[base + o]! ^ bytes[o]!
  const k = varying.findLastIndex((bits) => bits !== 0)
  if (k < 0) return []
  const top = 8 * k + 31 - Math.clz32(varying[k]!)
  return [...new Set([9, 11, 13, 15].map((below) => Math.max(0, top - below)))]
}

/** Each byte minus the one before, modulo 256. */
function steps(bytes: Uint8Array): Uint8Array {
  return bytes.map((b, i) => (i === 0 ? b : b - bytes[i - 1]!))
}

/** Order-0 entropy of bytes, in bits a byte. */
function entropy(bytes: Uint8Array): number {
  const counts = new Uint32Array(256)
  for (let i = 0; i < bytes.length; i++) counts[bytes[i]!]!++
  let bits = 0
  for (const count of counts) if (count > 0) bits -= count * Math.log2(count / bytes.length)
  return bits / bytes.length
}
