import {
  type ContextColumn,
  codesOfRanks,
  findRankedColumns,
  RANKED_RECORD_BYTES,
  type RankedChoice,
  rankCodes,
  readRankedRecord,
  writeRankedRecord,
} from '../ranks.js'
import { corrupt, HEADER, TextColumnKind } from './chunk.js'

/**
 * Ranked columns of a text table (SPEC §7.2, kind 9): a decimal or fixed column whose values all lie in
 * 0 to 255 (a code, a count, a flag written as a number), stored as ranks in contexts of another column
 * of its lines, as a rows segment's one-byte columns are (../ranks.ts). Tycho-2's sweep in its CSV.
 */

/** Kinds whose values a ranked chunk stands for: four-byte integers k. */
const RANKABLE: ReadonlySet<number> = new Set([TextColumnKind.decimal, TextColumnKind.fixed])

/** Bytes a value of each kind that can be a source takes (SPEC §7.2's table), little-endian. */
const SOURCE_WIDTH: ReadonlyMap<number, number> = new Map([
  [TextColumnKind.float64, 8],
  [TextColumnKind.decimal, 4],
  [TextColumnKind.fixed, 4],
  [TextColumnKind.integer, 8],
  [TextColumnKind.grid, 4],
])

const countOf = (chunk: Uint8Array) => new DataView(chunk.buffer, chunk.byteOffset).getUint32(4, true)

/** A rankable chunk's values as bytes, or undefined when one is outside 0 to 255. */
function codesOf(chunk: Uint8Array, count: number): Uint8Array | undefined {
  if (!RANKABLE.has(chunk[0]!) || chunk.byteLength < HEADER + count * 4) return undefined
  const view = new DataView(chunk.buffer, chunk.byteOffset + HEADER, count * 4)
  const codes = new Uint8Array(count)
  for (let row = 0; row < count; row++) {
    const k = view.getInt32(row * 4, true)
    if (k >>> 0 > 255) return undefined
    codes[row] = k
  }
  return codes
}

/** A source chunk's values as a context column of its kind's width. */
function sourceOf(chunk: Uint8Array, count: number): ContextColumn | undefined {
  const width = SOURCE_WIDTH.get(chunk[0]!)
  if (width === undefined || chunk.byteLength < HEADER + count * width) return undefined
  return { bytes: chunk.subarray(HEADER, HEADER + count * width), width, bigEndian: false }
}

/**
 * The group's decimal and fixed columns of values 0 to 255 that rank better in contexts of another column
 * (findRankedColumns): what a segment's first group finds, for its later groups to apply.
 */
export function findTextRanks(columns: readonly Uint8Array[]): RankedChoice[] {
  const count = columns[0] ? countOf(columns[0]) : 0
  if (count < 2 || columns.length < 2) return []
  const codes = columns.map((chunk) => codesOf(chunk, count))
  if (!codes.some((c) => c !== undefined)) return []
  const candidates = columns.map((chunk, c): ContextColumn | undefined =>
    codes[c] ? { bytes: codes[c], width: 1, bigEndian: false } : sourceOf(chunk, count),
  )
  return findRankedColumns(candidates, count)
}

/**
 * The group's chunks with `choices` applied: each target stored as a ranked column (kind 9) where it still
 * can be (values 0 to 255, a source of values), else left as it is; the same array when none is.
 */
export function applyTextRanks(columns: Uint8Array[], choices: readonly RankedChoice[]): Uint8Array[] {
  const count = columns[0] ? countOf(columns[0]) : 0
  let out = columns
  for (const { target, source, shift } of choices) {
    const chunk = columns[target]
    const codes = chunk && codesOf(chunk, count)
    const values = columns[source] && sourceOf(columns[source], count)
    if (!chunk || !codes || !values) continue
    const ranked = new Uint8Array(chunk.byteLength - count * 4 + RANKED_RECORD_BYTES + count)
    ranked.set(chunk.subarray(0, HEADER))
    ranked[0] = TextColumnKind.ranked
    // Tagged with the kind it stands for (a text table's values are all little-endian).
    writeRankedRecord(ranked.subarray(HEADER), { source, shift, tag: chunk[0]! })
    const ranks = HEADER + RANKED_RECORD_BYTES
    rankCodes(codes, values, shift, ranked, ranks)
    ranked.set(chunk.subarray(HEADER + count * 4), ranks + count)
    if (out === columns) out = [...columns]
    out[target] = ranked
  }
  return out
}

/** findTextRanks, then applyTextRanks. */
export function rankTextColumns(columns: Uint8Array[]): Uint8Array[] {
  return applyTextRanks(columns, findTextRanks(columns))
}

/** A ranked chunk's record, with the kind it stands for: CORRUPT_CHUNK when damaged. */
function readRecord(chunk: Uint8Array): { kind: number; source: number; shift: number } {
  const { tag: kind, source, shift } = readRankedRecord(chunk.subarray(HEADER))
  if (!RANKABLE.has(kind)) throw corrupt(`a ranked column cannot stand for kind ${kind}`)
  return { kind, source, shift }
}

/** The column a ranked chunk reads. */
export function rankedSource(chunk: Uint8Array): number {
  return readRecord(chunk).source
}

/**
 * The decimal or fixed chunk a ranked chunk stands for, given the group's other chunks (`source(c)`:
 * column c's decoded chunk). Its source must be a chunk of values (float64, decimal, fixed, integer or
 * grid) of as many rows; anything else is damage.
 */
export function resolveRankedText(
  chunk: Uint8Array,
  source: (c: number) => Uint8Array | undefined,
): Uint8Array {
  const { kind, source: s, shift } = readRecord(chunk)
  const count = countOf(chunk)
  const ranks = HEADER + RANKED_RECORD_BYTES
  if (ranks + count > chunk.byteLength) throw corrupt('ranked column too short for its ranks')
  const found = source(s)
  const values = found && countOf(found) === count ? sourceOf(found, count) : undefined
  if (!values) throw corrupt(`ranked column's source ${s} is not a column of values of the group`)
  const codes = codesOfRanks(chunk.subarray(ranks, ranks + count), values, shift)
  const out = new Uint8Array(chunk.byteLength - RANKED_RECORD_BYTES - count + count * 4)
  out.set(chunk.subarray(0, HEADER))
  out[0] = kind
  const view = new DataView(out.buffer, HEADER, count * 4)
  for (let row = 0; row < count; row++) view.setInt32(row * 4, codes[row]!, true)
  out.set(chunk.subarray(ranks + count), HEADER + count * 4)
  return out
}
