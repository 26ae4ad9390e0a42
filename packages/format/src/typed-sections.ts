import {
  type ElementWidth,
  isElementWidth,
  isSplit,
  MAX_LAG,
  TRANSFORM_OP_IDS,
  type TransformOp,
  type TransformStep,
} from '@astropack/codecs'
import { concatBytes, getU64, setU64, viewOf } from './bytes.js'
import { AstropackError } from './errors.js'
import type { ChunkRecord, EntryRecord } from './index-sections.js'
import { RELATION_BYTES } from './relations.js'
import { LIMITS, SEGMENT_FIXED_SIZE, SegmentLayout } from './spec.js'

/**
 * The TRANSFORMS and SEGMENTS sections (SPEC §7.1): transform chains that chunks refer to by id, and
 * entries whose bytes are rebuilt from segments, such as a FITS table's rows stored column by column.
 */

export interface RowsLayout {
  layout: 'rows'
  rowWidth: number
  rowCount: number
  rowsPerGroup: number
  /** Byte ranges of each column within a row, in order; together they cover the row exactly. */
  columns: { offset: number; width: number }[]
  /**
   * The file holds the columns one after another (column c from `offset × rowCount`), not row after row:
   * HDF5 datasets of one length side by side (layout 3). The chunks are the same either way.
   */
  columnMajor?: boolean
}
/** A delimited text table: groups of whole lines, one chunk per column (SPEC §7.2). */
export interface TextLayout {
  layout: 'text'
  /** The field separator byte (`,` or tab). */
  delimiter: number
  columnCount: number
}
export type SegmentLayoutSpec = { layout: 'bytes' } | RowsLayout | TextLayout

export type SegmentRecord = SegmentLayoutSpec & {
  entryIndex: number
  rawOffset: number
  rawLength: number
  firstChunk: number
  chunkCount: number
}

const OP_BY_ID = new Map(Object.entries(TRANSFORM_OP_IDS).map(([op, id]) => [id, op as TransformOp]))

function corrupt(message: string): AstropackError {
  return new AstropackError('CORRUPT_INDEX', `index: ${message}`)
}

export function encodeTransforms(chains: readonly TransformStep[][]): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array(4)]
  viewOf(parts[0]!).setUint32(0, chains.length, true)
  for (const chain of chains) {
    parts.push(
      Uint8Array.of(chain.length, ...chain.flatMap((s) => [TRANSFORM_OP_IDS[s.op], s.width, stepParam(s)])),
    )
  }
  return concatBytes(parts)
}

/**
 * A step's parameter byte: the scale of decimal steps, the divisor's index of grid steps, the lag less one
 * of delta-zigzag steps, the low bits of split-delta steps, 0 for the others.
 */
function stepParam(step: TransformStep): number {
  if (step.lag !== undefined && (!Number.isInteger(step.lag) || step.lag < 1 || step.lag > MAX_LAG))
    throw new AstropackError('USAGE', `a delta-zigzag step's lag must be 1 to ${MAX_LAG}, not ${step.lag}`)
  return step.scale ?? step.grid ?? step.lowBits ?? (step.lag ?? 1) - 1
}

/** A step from its op, width and parameter byte (see stepParam). */
function stepOf(op: TransformOp, width: ElementWidth, param: number, chain: number): TransformStep {
  if (op.startsWith('decimal')) return { op, width, scale: param }
  if (op.startsWith('grid')) return { op, width, grid: param }
  if (op.startsWith('delta-zigzag') && param > 0) return { op, width, lag: param + 1 }
  if (op.startsWith('split-delta')) {
    if (!isSplit(width, param))
      throw corrupt(`transform chain ${chain} splits ${width}-byte elements at bit ${param}`)
    return { op, width, lowBits: param }
  }
  return { op, width }
}

const STEP_SIZE = 3

export function decodeTransforms(bytes: Uint8Array): TransformStep[][] {
  if (bytes.byteLength < 4) throw corrupt('transforms section too short')
  const count = viewOf(bytes).getUint32(0, true)
  const chains: TransformStep[][] = []
  let at = 4
  for (let i = 0; i < count; i++) {
    const steps = bytes[at]
    if (steps === undefined || at + 1 + steps * STEP_SIZE > bytes.byteLength)
      throw corrupt(`transform chain ${i + 1} past the end`)
    const chain: TransformStep[] = []
    for (let s = 0; s < steps; s++) {
      const [id, width, param] = [
        bytes[at + 1 + s * STEP_SIZE]!,
        bytes[at + 2 + s * STEP_SIZE]!,
        bytes[at + 3 + s * STEP_SIZE]!,
      ]
      const op = OP_BY_ID.get(id)
      if (!op)
        throw new AstropackError(
          'UNSUPPORTED_FEATURE',
          `transform chain ${i + 1} uses unknown transform ${id}`,
        )
      if (!isElementWidth(width)) throw corrupt(`transform chain ${i + 1} has element width ${width}`)
      chain.push(stepOf(op, width, param, i + 1))
    }
    chains.push(chain)
    at += 1 + steps * STEP_SIZE
  }
  return chains
}

export function encodeSegments(segments: readonly SegmentRecord[]): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array(8)]
  setU64(viewOf(parts[0]!), 0, segments.length)
  for (const segment of segments) {
    const columns = segment.layout === 'rows' ? segment.columns : []
    const record = new Uint8Array(SEGMENT_FIXED_SIZE + columns.length * 8)
    const columnCount = segment.layout === 'text' ? segment.columnCount : columns.length
    const view = viewOf(record)
    setU64(view, 0, segment.entryIndex)
    setU64(view, 8, segment.rawOffset)
    setU64(view, 16, segment.rawLength)
    setU64(view, 24, segment.firstChunk)
    setU64(view, 32, segment.chunkCount)
    record[40] =
      segment.layout === 'rows' && segment.columnMajor
        ? SegmentLayout.columnMajorRows
        : SegmentLayout[segment.layout]
    view.setUint16(42, columnCount, true)
    if (segment.layout === 'text') view.setUint32(44, segment.delimiter, true)
    if (segment.layout === 'rows') {
      view.setUint32(44, segment.rowWidth, true)
      view.setUint32(48, segment.rowsPerGroup, true)
      view.setUint32(52, segment.rowCount, true)
    }
    columns.forEach((column, i) => {
      view.setUint32(SEGMENT_FIXED_SIZE + i * 8, column.offset, true)
      view.setUint32(SEGMENT_FIXED_SIZE + i * 8 + 4, column.width, true)
    })
    parts.push(record)
  }
  return concatBytes(parts)
}

export function decodeSegments(bytes: Uint8Array): SegmentRecord[] {
  const view = viewOf(bytes)
  if (bytes.byteLength < 8) throw corrupt('segments section too short')
  const count = getU64(view, 0)
  if (count * SEGMENT_FIXED_SIZE > bytes.byteLength - 8)
    throw corrupt(`segment count ${count} does not fit its section`)
  const segments: SegmentRecord[] = []
  let at = 8
  for (let i = 0; i < count; i++) {
    if (at + SEGMENT_FIXED_SIZE > bytes.byteLength) throw corrupt(`segment ${i} past the end`)
    const columnCount = view.getUint16(at + 42, true)
    const layout = bytes[at + 40]
    const rows = layout === SegmentLayout.rows || layout === SegmentLayout.columnMajorRows
    const slices = rows ? columnCount : 0
    if (at + SEGMENT_FIXED_SIZE + slices * 8 > bytes.byteLength)
      throw corrupt(`segment ${i} columns past the end`)
    const base = {
      entryIndex: getU64(view, at),
      rawOffset: getU64(view, at + 8),
      rawLength: getU64(view, at + 16),
      firstChunk: getU64(view, at + 24),
      chunkCount: getU64(view, at + 32),
    }
    if (layout === SegmentLayout.bytes) segments.push({ ...base, layout: 'bytes' })
    else if (layout === SegmentLayout.text) {
      segments.push({ ...base, layout: 'text', delimiter: view.getUint32(at + 44, true), columnCount })
    } else if (rows) {
      const columns = Array.from({ length: columnCount }, (_, c) => ({
        offset: view.getUint32(at + SEGMENT_FIXED_SIZE + c * 8, true),
        width: view.getUint32(at + SEGMENT_FIXED_SIZE + c * 8 + 4, true),
      }))
      segments.push({
        ...base,
        layout: 'rows',
        rowWidth: view.getUint32(at + 44, true),
        rowsPerGroup: view.getUint32(at + 48, true),
        rowCount: view.getUint32(at + 52, true),
        columns,
        ...(layout === SegmentLayout.columnMajorRows ? { columnMajor: true } : {}),
      })
    } else throw new AstropackError('UNSUPPORTED_FEATURE', `segment ${i} has unknown layout ${layout}`)
    at += SEGMENT_FIXED_SIZE + slices * 8
  }
  return segments
}

/** Chunk sizes a rows segment must have: group by group, column by column. */
export function rowsChunkSizes(segment: RowsLayout): number[] {
  const sizes: number[] = []
  for (let first = 0; first < segment.rowCount; first += segment.rowsPerGroup) {
    const rows = Math.min(segment.rowsPerGroup, segment.rowCount - first)
    for (const column of segment.columns) sizes.push(rows * column.width)
  }
  return sizes
}

/**
 * Checks that each entry's segments cover it exactly, in order, with their own chunks, and that rows
 * segments are consistent (columns partition the row; chunk sizes match the layout).
 */
export function checkSegments(
  segments: SegmentRecord[],
  entries: EntryRecord[],
  chunks: ChunkRecord[],
): Map<number, SegmentRecord[]> {
  const byEntry = new Map<number, SegmentRecord[]>()
  for (const segment of segments) {
    const entry = entries[segment.entryIndex]
    if (entry?.kind !== 'file') throw corrupt(`segment refers to entry ${segment.entryIndex}, not a file`)
    const list = byEntry.get(segment.entryIndex) ?? []
    const previous = list.at(-1)
    const rawOffset = previous ? previous.rawOffset + previous.rawLength : 0
    const firstChunk = previous ? previous.firstChunk + previous.chunkCount : entry.firstChunk
    if (segment.rawOffset !== rawOffset || segment.firstChunk !== firstChunk) {
      throw corrupt(`segments of ${JSON.stringify(entry.path)} are not contiguous`)
    }
    const own = chunks.slice(segment.firstChunk, segment.firstChunk + segment.chunkCount)
    if (segment.layout === 'text') {
      // Column chunks hold derived values, not file bytes: their lengths are checked as the text is rebuilt.
      if (segment.columnCount === 0 || segment.delimiter > 255 || own.length % segment.columnCount !== 0) {
        throw corrupt(`a text table in ${JSON.stringify(entry.path)} has an inconsistent layout`)
      }
    } else if (
      segment.layout === 'bytes' &&
      own.reduce((sum, chunk) => sum + chunk.rawSize, 0) !== segment.rawLength
    ) {
      throw corrupt(`a segment of ${JSON.stringify(entry.path)} does not match its chunks`)
    }
    if (segment.layout === 'rows') checkRows(segment, own, entry.path)
    list.push(segment)
    byEntry.set(segment.entryIndex, list)
  }
  for (const [index, list] of byEntry) {
    const entry = entries[index]!
    const last = list.at(-1)!
    if (
      last.rawOffset + last.rawLength !== entry.size ||
      last.firstChunk + last.chunkCount !== entry.firstChunk + entry.chunkCount
    ) {
      throw corrupt(`segments of ${JSON.stringify(entry.path)} do not cover it`)
    }
  }
  return byEntry
}

function checkRows(segment: SegmentRecord & RowsLayout, own: ChunkRecord[], path: string): void {
  let at = 0
  for (const column of segment.columns) {
    if (column.offset !== at || column.width === 0)
      throw corrupt(`columns of a table in ${JSON.stringify(path)} do not partition its rows`)
    at += column.width
  }
  if (
    at !== segment.rowWidth ||
    segment.rowsPerGroup === 0 ||
    segment.rowWidth * segment.rowCount !== segment.rawLength
  ) {
    throw corrupt(`a table in ${JSON.stringify(path)} has an inconsistent layout`)
  }
  const groupBytes = segment.rowWidth * Math.min(segment.rowsPerGroup, segment.rowCount)
  if (groupBytes > LIMITS.maxGroupBytes) {
    throw new AstropackError(
      'LIMIT_EXCEEDED',
      `a table group in ${JSON.stringify(path)} would be ${groupBytes} bytes`,
    )
  }
  // A predicted column's chunk holds a relation record before its residuals (SPEC §7.1).
  const expected = rowsChunkSizes(segment)
  const fits = (size: number, i: number) =>
    own[i]!.rawSize === size || own[i]!.rawSize === size + RELATION_BYTES
  if (expected.length !== own.length || !expected.every(fits)) {
    throw corrupt(`a table in ${JSON.stringify(path)} has chunks that do not match its layout`)
  }
}
