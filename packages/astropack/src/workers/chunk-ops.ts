import {
  applyTransforms,
  type Codec,
  crc32,
  createSha256,
  invertTransforms,
  type TransformStep,
} from '@astropack/codecs'
import {
  applyRowPredictions,
  applyTextRanks,
  type ColumnSlice,
  FEATURE_PREDICTED_ROWS,
  FEATURE_RANKED_COLUMNS,
  findRowPredictions,
  findTextRanks,
  isFloatColumn,
  isPredictedRows,
  joinRows,
  joinTextGroup,
  type NumberColumn,
  predictTextColumns,
  RANKED,
  type RowPrediction,
  resolvePredictedRows,
  splitRows,
  splitTextGroup,
  TextColumnKind,
  textChunkFeatures,
} from '@astropack/format/layouts'
import { frameBound } from '../buffer-pool.js'
import { type MetricSpec, type Metrics, measureColumn } from '../layouts/metrics.js'
import { numberChains } from '../layouts/segments.js'
import { measureTextColumn, measureTextRecords } from '../layouts/text-metrics.js'
import { textGroupKinds } from '../layouts/text-types.js'
import { columnLevel, pickBySample, probeChain, TEXT_COLUMN_CHAINS, withParams } from './choose.js'
import type { TextColumnChain } from './codec-pool.js'
import { slot, views } from './working-memory.js'

/** What the codec workers do, as plain functions (the worker only routes messages to them). */

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
  /** This group's part it repeats (a column equal to that one): its chunk is recorded again, not stored. */
  repeats?: number
  /** The file bytes it stands for when not rawSize: a predicted column's relation record is not in the file. */
  fileBytes?: number
  /**
   * The first 128 bits of the stored bytes' SHA-256, in hex, for parts that store MIN_SHARED_BYTES or
   * more: a chunk stored earlier with the same digest, size, codec and chain is recorded again.
   */
  digest?: string
}

/** Stored bytes from which a part gets a digest: smaller ones are not worth a lookup (or a key). */
export const MIN_SHARED_BYTES = 1024

/** EncodedPart's digest of its stored bytes, if it is big enough to have one. */
function digestOf(stored: Uint8Array): { digest?: string } {
  if (stored.byteLength < MIN_SHARED_BYTES) return {}
  const hash = createSha256()
  hash.update(stored)
  return { digest: hash.digestHex().slice(0, 32) }
}

/** Whether two columns hold the same bytes (memcmp, not a byte loop: columns run to megabytes). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  )
}

/**
 * Encodes one chunk with its transform chain: the one candidate, the probe's pick for data of unknown
 * layout (a table field's, knowing its width), or among several the one that compresses a sample of the
 * chunk best (pickBySample). A chain that cannot keep some value of the chunk (a decimal step picked on a sample) leaves it plain; a result
 * no smaller than the raw bytes is stored raw, with no transform. A chunk that picks among candidates also
 * picks its level (columnLevel), which the chunks after it are given; `decideLevel` says so for others.
 */
export function encodePart(
  codec: Codec,
  level: number,
  raw: Uint8Array,
  candidates: readonly TransformStep[][] | 'probe',
  into?: Uint8Array,
  decideLevel?: boolean,
  fieldWidth?: number,
): EncodedPart {
  const picking = candidates !== 'probe' && candidates.length > 1
  let steps =
    candidates === 'probe'
      ? probeChain(codec, level, raw, fieldWidth)
      : picking
        ? pickBySample(codec, level, raw, candidates)
        : (withParams(candidates, raw)[0] ?? [])
  if (decideLevel ?? picking) level = columnLevel(codec, level, raw, steps)
  let transformed = raw
  try {
    transformed = applyTransforms(steps, raw, slot('transformed', raw.byteLength))
  } catch {
    steps = []
  }
  const stored = codec.encode(transformed, level, into)
  if (stored.byteLength >= raw.byteLength)
    return {
      stored: raw,
      rawSize: raw.byteLength,
      codec: 'none',
      crc32: crc32(raw),
      steps: [],
      level,
      ...digestOf(raw),
    }
  return {
    stored,
    rawSize: raw.byteLength,
    codec: codec.name,
    crc32: crc32(stored),
    steps,
    level,
    ...digestOf(stored),
  }
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
  const laid: EncodedPart[] = []
  return columns.map((column, c) => {
    const room = into.subarray(at)
    const part = encode(column, c, room)
    // A repeat has no bytes of its own: the view of its original's frame, where that was laid.
    if (part.repeats !== undefined) {
      laid[c] = { ...part, stored: laid[part.repeats]!.stored }
      return laid[c]
    }
    let stored = part.stored
    if (stored.buffer !== into.buffer || stored.byteOffset !== room.byteOffset) {
      if (stored.byteLength <= room.byteLength) {
        room.set(stored)
        stored = room.subarray(0, stored.byteLength)
      } else stored = stored.slice()
    }
    if (stored.buffer === into.buffer) at += stored.byteLength
    laid[c] = { ...part, stored }
    return laid[c]
  })
}

/** Room in a pooled buffer for the encoded parts of a `bytes`-byte group of `parts` columns. */
export function groupFrameBound(bytes: number, parts: number): number {
  return frameBound(bytes) + 1024 * parts
}

/** How a text table's lines split into fields: at the delimiter, or (fixed-width) at `separators` only. */
export interface TextGroupLayout {
  delimiter: number
  columnCount: number
  separators?: number[]
  /** Classify the fields as the table's reader would (textGroupKinds), for columns without a type. */
  kinds?: boolean
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
  { delimiter, columnCount, separators, kinds: classify }: TextGroupLayout,
  into: Uint8Array,
  ranges: readonly ('ra' | 'dec' | undefined)[] = [],
  chosen: readonly (TextColumnChain | undefined)[] = [],
): {
  parts: EncodedPart[]
  metrics: (Metrics | undefined)[]
  kinds?: Uint16Array | undefined
  lines: number
  chains: TextColumnChain[]
  features: number
} {
  let columns = splitTextGroup(text, delimiter, columnCount, separators)
  // Every column chunk's header counts the group's lines, but a group kept raw (kind 0) says 0. Its rows
  // are then the records the CSV reader finds (blank lines are none, quoted fields may hold line ends), or
  // a fixed-width table's lines.
  // A raw group's columns are measured from those records too (a fixed-width group's: not at all).
  const raw = columns[0]![0] === TextColumnKind.raw
  const columnRanges = Array.from({ length: columnCount }, (_, c) => ranges[c])
  const records =
    raw && separators === undefined ? measureTextRecords(text, delimiter, columnRanges) : undefined
  let lines = new DataView(columns[0]!.buffer, columns[0]!.byteOffset).getUint32(4, true)
  if (records) lines = records.records
  else if (raw) for (let at = text.indexOf(10); at !== -1; at = text.indexOf(10, at + 1)) lines++
  const metrics = records?.metrics ?? columns.map((column, c) => measureTextColumn(column, ranges[c]))
  const kinds = classify
    ? textGroupKinds(columns, text, { delimiter, fixedWidth: separators !== undefined })
    : undefined
  // After the metrics, which read float64 values: a predicted column holds residuals, a ranked one ranks
  // (found by the first group, as the chains are: the search costs ~15 ms a group).
  columns = predictTextColumns(columns)
  const ranks =
    chosen.length > 0
      ? chosen.flatMap((chain, c) => (chain?.ranked ? [{ target: c, ...chain.ranked }] : []))
      : findTextRanks(columns)
  columns = applyTextRanks(columns, ranks)
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
    const ranked = kind === TextColumnKind.ranked ? ranks.find((r) => r.target === c) : undefined
    chains[c] = {
      kind,
      steps,
      level: columnAt,
      ...(ranked ? { ranked: { source: ranked.source, shift: ranked.shift } } : {}),
    }
    return encodePart(codec, columnAt, column, [steps], room)
  })
  return {
    parts,
    metrics,
    ...(classify ? { kinds } : {}),
    lines,
    chains,
    features: columns.reduce((bits, column) => bits | textChunkFeatures(column), 0),
  }
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

/** What encodeRows needs besides the codec: the codec worker's task (codec-pool.ts has each field). */
export interface RowsGroup {
  level: number
  data: Uint8Array
  rowWidth: number
  columns: readonly ColumnSlice[]
  candidates: readonly (TransformStep[][] | 'probe')[]
  into: Uint8Array
  metrics?: readonly (MetricSpec | undefined)[]
  levels?: readonly (number | undefined)[]
  measuredRows?: number
  predictions?: readonly RowPrediction[]
  /** `data` holds the group's columns one after another, not its rows (a column-major segment). */
  columnMajor?: boolean
}

/**
 * Splits a group of rows into columns and encodes each with its candidate chains; float columns that
 * follow from others are stored as predicted (`predictions` an earlier group found, else its own search).
 */
export function encodeRows(
  codec: Codec,
  group: RowsGroup,
): {
  parts: EncodedPart[]
  metrics: (Metrics | undefined)[]
  features: number
  predictions: RowPrediction[]
} {
  const { level, data: rows, rowWidth, columns, candidates, into, measuredRows } = group
  const metrics = group.metrics ?? []
  const levels = group.levels ?? []
  // Columns go to reused memory and frames to the caller's pooled buffer: fresh buffers per group
  // inflated RSS by ~100 MiB.
  const count = rows.byteLength / rowWidth
  const measuredCount = Math.min(count, measuredRows ?? count)
  const split = group.columnMajor
    ? columns.map(({ offset, width }) => rows.subarray(count * offset, count * (offset + width)))
    : splitRows(
        rows,
        rowWidth,
        columns,
        views(
          slot('split', rows.byteLength),
          columns.map((column) => count * column.width),
        ),
      )
  // Measured before encoding: the columns are still plain values.
  const measured = split.map((column, c) =>
    metrics[c] ? measureColumn(column.subarray(0, measuredCount * columns[c]!.width), metrics[c]) : undefined,
  )
  // After the metrics, which read the values: a predicted column holds residuals (integers).
  const numbers = numberColumns(columns, metrics)
  const predictions = group.predictions ?? findRowPredictions(split, numbers, count)
  const stored = applyRowPredictions(split, predictions, numbers)
  const encodedParts: EncodedPart[] = []
  const parts = encodeColumns(split, into, (column, c, room) => {
    // A column equal to an earlier one of the group (HEALPix weights: the same for T, Q and U) is that
    // column's chunk again.
    const same = split.findIndex((other, d) => d < c && equalBytes(other, column))
    if (same !== -1) return { ...encodedParts[same]!, repeats: same }
    // A predicted column holds residuals: integers of its width and byte order.
    const number = stored[c] !== column ? numbers.find((n) => n.column === c) : undefined
    const float = number && isFloatColumn(number) ? number : undefined
    // A column of unknown layout (a FITS character column) probes its chains in every group, but
    // decides its level in the groups that pick, for the rest; so does a ranked one (one chain, none).
    const part = encodePart(
      codec,
      levels[c] ?? level,
      stored[c]!,
      float ? numberChains('int', float.width, float.bigEndian) : candidates[c]!,
      room,
      candidates[c] === 'probe' || stored[c] !== column ? levels[c] === undefined : undefined,
      columns[c]!.width,
    )
    encodedParts[c] = stored[c] !== column ? { ...part, fileBytes: column.byteLength } : part
    return encodedParts[c]
  })
  return {
    parts,
    metrics: measured,
    features:
      (stored === split ? 0 : FEATURE_PREDICTED_ROWS) |
      (predictions.some((p) => p.relation === RANKED) ? FEATURE_RANKED_COLUMNS : 0),
    predictions: [...predictions],
  }
}

/** The columns of one number a row (floats and integers), as their metric specs describe them. */
function numberColumns(
  columns: readonly ColumnSlice[],
  specs: readonly (MetricSpec | undefined)[],
): NumberColumn[] {
  return columns.flatMap(({ width }, c) => {
    const element = specs[c]?.element
    if (!element || Number(element.slice(1)) !== width) return []
    return [{ column: c, width, bigEndian: !specs[c]!.littleEndian, float: element.startsWith('f') }]
  })
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

/**
 * One column of a table group, from its chunk alone (`parts` is that one) or, when it is predicted or
 * ranked, from the group's chunks (`parts` are all of them, `slot` its place): only it and its sources are
 * decoded.
 */
export function decodeColumn(
  parts: readonly { codec: Codec; stored: Uint8Array; rawSize: number; steps: readonly TransformStep[] }[],
  slot: number,
  widths: readonly number[],
  rowCount: number,
  into?: Uint8Array,
): Uint8Array {
  const decode = (c: number, room?: Uint8Array) => {
    const part = parts[c]!
    return decodePart(part.codec, part.stored, part.rawSize, part.steps, room)
  }
  if (parts.length === 1) return decode(0, into)
  const values = decode(slot)
  const width = widths[slot]!
  if (!isPredictedRows(values, width, rowCount)) return values
  const source = (c: number) =>
    c < parts.length && c !== slot ? { bytes: decode(c), width: widths[c]! } : undefined
  return resolvePredictedRows(values, width, rowCount, source)
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
