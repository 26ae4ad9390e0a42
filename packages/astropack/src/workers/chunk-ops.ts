import { applyTransforms, type Codec, crc32, invertTransforms, type TransformStep } from '@astropack/codecs'
import {
  type ColumnSlice,
  joinRows,
  joinTextGroup,
  splitRows,
  splitTextGroup,
  TextColumnKind,
} from '@astropack/format/layouts'
import { frameBound } from '../buffer-pool.js'
import { type MetricSpec, type Metrics, measureColumn, measureTextColumn } from '../layouts/metrics.js'
import type { TextColumnChain } from './codec-pool.js'

/** What the codec workers do, as plain functions (the worker only routes messages to them). */

/**
 * Reusable working memory, by slot: filling fresh memory runs at only ~360 MB/s here. Each worker runs one
 * task at a time, and nothing returned to the caller lives in a slot.
 */
const slots = new Map<string, Uint8Array>()
function slot(name: string, size: number): Uint8Array {
  let buffer = slots.get(name)
  if (!buffer || buffer.byteLength < size) {
    buffer = new Uint8Array(size)
    slots.set(name, buffer)
  }
  return buffer.subarray(0, size)
}

/** `buffer` cut into consecutive views of the given sizes (the columns of one group share a slot). */
function views(buffer: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  let at = 0
  return sizes.map((size) => {
    at += size
    return buffer.subarray(at - size, at)
  })
}

export interface EncodedPart {
  stored: Uint8Array
  /** Bytes before encoding (and before transforms). */
  rawSize: number
  codec: Codec['name']
  crc32: number
  /** The transform chain the stored bytes were encoded with (empty for none). */
  steps: TransformStep[]
  /** The codec level they were encoded at. */
  level: number
}

/** A higher zstd level that a column keeps when it makes the column's sample BOOST_GAIN smaller. */
const BOOST_LEVEL = 6
const BOOST_GAIN = 0.97

/**
 * The level for a column at the codec's default level: BOOST_LEVEL when that compresses a sample of it
 * (with its chain) at least 3% smaller, else `level`. Decimals converted from sexagesimal positions repeat
 * digit patterns that lazy matching finds (Hipparcos CSV: 2.02 -> 1.85 MB), where the bit planes of
 * full-precision doubles lose by it (Tycho-2 CSV +0.7% at level 6 everywhere); so it is decided by column.
 */
function columnLevel(codec: Codec, level: number, raw: Uint8Array, steps: TransformStep[]): number {
  if (codec.name !== 'zstd' || level !== codec.levels.default) return level
  const sample = raw.subarray(0, PROBE_BYTES)
  let transformed: Uint8Array
  try {
    transformed = applyTransforms(steps, sample, slot('probe', sample.byteLength))
  } catch {
    return level // a decimal step that cannot keep some value of the sample
  }
  const frame = slot('probe frame', frameBound(sample.byteLength))
  const base = codec.encode(transformed, level, frame).byteLength
  return codec.encode(transformed, BOOST_LEVEL, frame).byteLength <= base * BOOST_GAIN ? BOOST_LEVEL : level
}

/**
 * Encodes one chunk with each candidate transform chain (or the probe's pick, or with `bySample` the chain
 * that compresses its first PROBE_BYTES best) and keeps the smallest, the first when tied. A result no
 * smaller than the raw bytes is stored raw, with no transform. A chunk that picks among candidates also
 * picks its level (columnLevel), which the chunks after it are given.
 */
export function encodePart(
  codec: Codec,
  level: number,
  raw: Uint8Array,
  candidates: readonly TransformStep[][] | 'probe',
  into?: Uint8Array,
  bySample = false,
): EncodedPart {
  const picking = candidates !== 'probe' && candidates.length > 1
  const chains =
    candidates === 'probe'
      ? probeChains(codec, level, raw)
      : bySample && picking
        ? [pickBySample(codec, level, raw, candidates)]
        : withScales(candidates, raw)
  // With one chain known, its level is picked before encoding; trying several, after (for the winner).
  if (picking && chains.length === 1) level = columnLevel(codec, level, raw, chains[0]!)
  let best: { stored: Uint8Array; steps: TransformStep[]; slot: 'a' | 'b' } | undefined
  for (const steps of chains) {
    let transformed: Uint8Array
    try {
      transformed = applyTransforms(steps, raw, slot('transformed', raw.byteLength))
    } catch {
      continue // a decimal step that cannot keep some value of this chunk: try the other chains
    }
    // With one candidate the frame can go straight to `into`; while comparing, the best so far and the
    // one being tried each have a slot.
    const free = best?.slot === 'a' ? 'b' : 'a'
    const room = chains.length === 1 ? into : slot(`candidate ${free}`, frameBound(raw.byteLength))
    const stored = codec.encode(transformed, level, room)
    if (!best || stored.byteLength < best.stored.byteLength) best = { stored, steps, slot: free }
  }
  if (best && picking && chains.length > 1) {
    const boosted = columnLevel(codec, level, raw, best.steps)
    if (boosted !== level) {
      level = boosted
      const free = best.slot === 'a' ? 'b' : 'a'
      const transformed = applyTransforms(best.steps, raw, slot('transformed', raw.byteLength))
      const stored = codec.encode(transformed, level, slot(`candidate ${free}`, frameBound(raw.byteLength)))
      best = { stored, steps: best.steps, slot: free }
    }
  }
  if (!best || best.stored.byteLength >= raw.byteLength)
    return { stored: raw, rawSize: raw.byteLength, codec: 'none', crc32: crc32(raw), steps: [], level }
  return {
    stored: best.stored,
    rawSize: raw.byteLength,
    codec: codec.name,
    crc32: crc32(best.stored),
    steps: best.steps,
    level,
  }
}

/**
 * Gives decimal steps without a scale the smallest scale (0-9) at which nine in ten of the first values
 * are exact decimals; chains for which there is none are dropped.
 */
function withScales(chains: readonly TransformStep[][], raw: Uint8Array): TransformStep[][] {
  const out: TransformStep[][] = []
  for (const chain of chains) {
    const first = chain[0]
    if (!first?.op.startsWith('decimal') || first.scale !== undefined) out.push(chain)
    else {
      const scale = decimalScale(raw, first.width, first.op === 'decimal-be')
      if (scale !== undefined) out.push([{ ...first, scale }, ...chain.slice(1)])
    }
  }
  return out
}

function decimalScale(raw: Uint8Array, width: number, bigEndian: boolean): number | undefined {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  const count = Math.min(1024, Math.floor(raw.byteLength / width))
  if (count === 0) return undefined
  const values = Array.from({ length: count }, (_, i) =>
    width === 4 ? view.getFloat32(i * 4, !bigEndian) : view.getFloat64(i * 8, !bigEndian),
  )
  for (let scale = 0; scale <= 9; scale++) {
    const power = 10 ** scale
    const exact = values.filter((v) => {
      const k = Math.round(v * power)
      return Number.isFinite(v) && (width === 4 ? Math.fround(k / power) : k / power) === v
    }).length
    if (exact >= count * 0.9) return scale
  }
  return undefined
}

/** How much of an opaque chunk is tried with each probe chain. */
export const PROBE_BYTES = 128 * 1024

/** Chains worth trying on binary data of unknown layout: 8- and 4-byte numbers, floats or integers. */
const PROBE_CHAINS: TransformStep[][] = [
  [],
  [{ op: 'shuffle', width: 8 }],
  [
    { op: 'xor', width: 8 },
    { op: 'shuffle', width: 8 },
  ],
  [{ op: 'shuffle', width: 4 }],
  [
    { op: 'xor', width: 4 },
    { op: 'shuffle', width: 4 },
  ],
  [
    { op: 'delta-le', width: 8 },
    { op: 'shuffle', width: 8 },
  ],
]

/** Mostly printable ASCII: CSV, text, XML. Transforms for binary numbers only hurt these. */
function looksLikeText(sample: Uint8Array): boolean {
  const length = Math.min(sample.byteLength, 16 * 1024)
  let printable = 0
  for (let i = 0; i < length; i++) {
    const byte = sample[i]!
    if ((byte >= 32 && byte < 127) || byte === 9 || byte === 10 || byte === 13) printable++
  }
  return printable >= length * 0.95
}

/**
 * For a chunk of unknown layout (an HDF5 file, binary data in FITS character columns, ...): tries the
 * probe chains on its first PROBE_BYTES and returns the one that compresses that sample best (measured
 * here: uncompressed HDF5 tables 1.18 -> 1.47, astrometry.net index FITS 1.15 -> 1.70, at ~20% more CPU).
 */
export function probeChains(codec: Codec, level: number, raw: Uint8Array): TransformStep[][] {
  if (raw.byteLength < 2 * PROBE_BYTES || looksLikeText(raw.subarray(0, PROBE_BYTES))) return [[]]
  return [pickBySample(codec, level, raw, PROBE_CHAINS)]
}

/**
 * The chain that compresses the first PROBE_BYTES of `raw` best. A transform must earn its keep: at least
 * 2% smaller than the plain bytes (the first chain, which must be the empty one).
 */
function pickBySample(
  codec: Codec,
  level: number,
  raw: Uint8Array,
  chains: readonly TransformStep[][],
): TransformStep[] {
  const sample = raw.subarray(0, PROBE_BYTES)
  let plain = Number.POSITIVE_INFINITY
  let best = { size: Number.POSITIVE_INFINITY, chain: [] as TransformStep[] }
  for (const chain of withScales(chains, sample)) {
    let transformed: Uint8Array
    try {
      transformed = applyTransforms(chain, sample, slot('probe', sample.byteLength))
    } catch {
      continue // a decimal step that cannot keep some value: not a candidate here
    }
    const size = codec.encode(
      transformed,
      level,
      slot('probe frame', frameBound(sample.byteLength)),
    ).byteLength
    if (chain.length === 0) plain = size
    if (size < best.size) best = { size, chain }
  }
  return best.chain.length > 0 && best.size < plain * 0.98 ? best.chain : []
}

/** Chains for the typed columns of a text table, by their kind byte (see @astropack/format text-table). */
const FLOAT64_CHAINS: TransformStep[][] = [
  [],
  [{ op: 'shuffle', width: 8 }],
  [
    { op: 'xor', width: 8 },
    { op: 'shuffle', width: 8 },
  ],
  [
    { op: 'xor', width: 8 },
    { op: 'bitshuffle', width: 8 },
  ],
]
const INT32_CHAINS: TransformStep[][] = [
  [],
  [{ op: 'shuffle', width: 4 }],
  [{ op: 'bitshuffle', width: 4 }],
  [
    { op: 'delta-le', width: 4 },
    { op: 'shuffle', width: 4 },
  ],
]
const INT64_CHAINS: TransformStep[][] = [
  [],
  [{ op: 'shuffle', width: 8 }],
  [
    { op: 'delta-le', width: 8 },
    { op: 'shuffle', width: 8 },
  ],
  [
    { op: 'delta-le', width: 8 },
    { op: 'bitshuffle', width: 8 },
  ],
]
/** One byte per row, mostly a few codes: bit planes pack two codes into one bit. */
const DICTIONARY_CHAINS: TransformStep[][] = [[], [{ op: 'bitshuffle', width: 1 }]]
const TEXT_COLUMN_CHAINS: Record<number, TransformStep[][]> = {
  2: FLOAT64_CHAINS,
  3: INT32_CHAINS,
  4: INT32_CHAINS,
  5: INT64_CHAINS,
  6: DICTIONARY_CHAINS,
}

/**
 * Encodes a group's columns and lays their frames one after another in `into` (the caller's pooled
 * buffer, which goes back with them): a frame the codec wrote elsewhere (or a column stored raw) is
 * copied in; one that does not fit keeps a copy of its own.
 */
function encodeColumns(
  columns: readonly Uint8Array[],
  into: Uint8Array,
  encode: (column: Uint8Array, c: number, room: Uint8Array) => EncodedPart,
): EncodedPart[] {
  let at = 0
  return columns.map((column, c) => {
    const room = into.subarray(at)
    const part = encode(column, c, room)
    let stored = part.stored
    if (stored.buffer !== into.buffer || stored.byteOffset !== room.byteOffset) {
      if (stored.byteLength <= room.byteLength) {
        room.set(stored)
        stored = room.subarray(0, stored.byteLength)
      } else stored = stored.slice()
    }
    if (stored.buffer === into.buffer) at += stored.byteLength
    return { ...part, stored }
  })
}

/** Room in a pooled buffer for the encoded parts of a `bytes`-byte group of `parts` columns. */
export function groupFrameBound(bytes: number, parts: number): number {
  return frameBound(bytes) + 1024 * parts
}

/**
 * Splits a group of text lines into typed columns and encodes each with the chain its sample prefers, or
 * with the chain an earlier group chose for a column of the same kind (`chosen`): probing every group
 * cost as much zstd work as a third of the encoding.
 */
export function encodeText(
  codec: Codec,
  level: number,
  text: Uint8Array,
  delimiter: number,
  columnCount: number,
  into: Uint8Array,
  ranges: readonly ('ra' | 'dec' | undefined)[] = [],
  chosen: readonly (TextColumnChain | undefined)[] = [],
): { parts: EncodedPart[]; metrics: (Metrics | undefined)[]; lines: number; chains: TextColumnChain[] } {
  const columns = splitTextGroup(text, delimiter, columnCount)
  // Every column chunk's header counts the group's lines, but a group kept raw (kind 0) says 0.
  let lines = new DataView(columns[0]!.buffer, columns[0]!.byteOffset).getUint32(4, true)
  if (columns[0]![0] === TextColumnKind.raw)
    for (let at = text.indexOf(10); at !== -1; at = text.indexOf(10, at + 1)) lines++
  const metrics = columns.map((column, c) => measureTextColumn(column, ranges[c]))
  const chains: TextColumnChain[] = []
  const parts = encodeColumns(columns, into, (column, c, room) => {
    const kind = column[0]!
    const candidates = TEXT_COLUMN_CHAINS[kind]
    const earlier = chosen[c]
    if (!candidates) {
      chains[c] = { kind, steps: [], level }
      return encodePart(codec, level, column, [[]], room)
    }
    const steps = earlier?.kind === kind ? earlier.steps : pickBySample(codec, level, column, candidates)
    const columnAt = earlier?.kind === kind ? earlier.level : columnLevel(codec, level, column, steps)
    chains[c] = { kind, steps, level: columnAt }
    return encodePart(codec, columnAt, column, [steps], room)
  })
  return { parts, metrics, lines, chains }
}

export function decodeText(
  parts: readonly { codec: Codec; stored: Uint8Array; rawSize: number; steps: readonly TransformStep[] }[],
  delimiter: number,
  into?: Uint8Array,
): Uint8Array {
  const room = columnSlots(parts)
  return joinTextGroup(
    parts.map((part, c) => decodePart(part.codec, part.stored, part.rawSize, part.steps, room[c])),
    delimiter,
    into,
  )
}

/** Reused memory for the decoded columns of one group, one view per part. */
function columnSlots(parts: readonly { rawSize: number }[]): Uint8Array[] {
  const sizes = parts.map((part) => part.rawSize)
  return views(
    slot(
      'columns',
      sizes.reduce((sum, size) => sum + size, 0),
    ),
    sizes,
  )
}

/** Splits a group of rows into columns and encodes each with its candidate chains. */
export function encodeRows(
  codec: Codec,
  level: number,
  rows: Uint8Array,
  rowWidth: number,
  columns: readonly ColumnSlice[],
  candidates: readonly (TransformStep[][] | 'probe')[],
  into: Uint8Array,
  metrics: readonly (MetricSpec | undefined)[] = [],
  bySample = false,
  levels: readonly (number | undefined)[] = [],
): { parts: EncodedPart[]; metrics: (Metrics | undefined)[] } {
  // Columns go to reused memory and frames to the caller's pooled buffer: fresh buffers per group
  // inflated RSS by ~100 MiB.
  const count = rows.byteLength / rowWidth
  const split = splitRows(
    rows,
    rowWidth,
    columns,
    views(
      slot('split', rows.byteLength),
      columns.map((column) => count * column.width),
    ),
  )
  // Measured before encoding: the columns are still plain values.
  const measured = split.map((column, c) => (metrics[c] ? measureColumn(column, metrics[c]) : undefined))
  const parts = encodeColumns(split, into, (column, c, room) =>
    encodePart(codec, levels[c] ?? level, column, candidates[c]!, room, bySample),
  )
  return { parts, metrics: measured }
}

export function decodePart(
  codec: Codec,
  stored: Uint8Array,
  rawSize: number,
  steps: readonly TransformStep[],
  into?: Uint8Array,
): Uint8Array {
  if (steps.length === 0) return codec.decode(stored, rawSize, into)
  return invertTransforms(steps, codec.decode(stored, rawSize, slot('decoded', rawSize)), into)
}

export function decodeRows(
  parts: readonly { codec: Codec; stored: Uint8Array; rawSize: number; steps: readonly TransformStep[] }[],
  rowWidth: number,
  columns: readonly ColumnSlice[],
  rowCount: number,
  into?: Uint8Array,
): Uint8Array {
  const room = columnSlots(parts)
  const decoded = parts.map((part, c) =>
    decodePart(part.codec, part.stored, part.rawSize, part.steps, room[c]),
  )
  return joinRows(decoded, rowWidth, columns, rowCount, into)
}
