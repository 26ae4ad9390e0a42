import {
  type ColumnSample,
  choosePredictions,
  type Prediction,
  predictBits,
  RELATION_BYTES,
  type RelationRecord,
  readRelationRecord,
  residual,
  sampleRows,
  unzigzagInto,
  word,
  zigzagResidual,
} from '../relations.js'
import { corrupt, HEADER, TextColumnKind } from './chunk.js'
import { resolveRankedText } from './ranked.js'

/**
 * Float64 columns of a text table predicted from two others of the same line (SPEC §7.2, kind 8; the
 * relations and the search: ../relations.ts). JPL's perihelion distance q = a(1 - e), period a^1.5 (in
 * years or days) and mean motion k / a^1.5, colours as differences of magnitudes, a parallax over its
 * error.
 */

/** A predicted chunk's relation record (after its header), checked: CORRUPT_CHUNK when damaged. */
function readRelation(chunk: Uint8Array): RelationRecord {
  const record = readRelationRecord(chunk, HEADER)
  if (record.order !== 0) throw corrupt(`byte 1 of a predicted column's relation is ${record.order}, not 0`)
  return record
}

/** The columns a predicted chunk reads (its sources a and b, once each, in column order). */
export function predictedSources(chunk: Uint8Array): number[] {
  return readRelation(chunk).sources
}

/**
 * The float64 chunk a predicted chunk stands for, given the group's other chunks (`source(c)`: column
 * c's decoded chunk). Its sources must be float64 chunks of as many rows; anything else is damage.
 */
export function resolvePredicted(
  chunk: Uint8Array,
  source: (c: number) => Uint8Array | undefined,
): Uint8Array {
  const { relation, a, b, c } = readRelation(chunk)
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  const count = view.getUint32(4, true)
  const values = HEADER + RELATION_BYTES
  if (values + count * 8 > chunk.byteLength) throw corrupt('predicted column too short for its values')
  const sources = [a, b].map((s) => {
    const bytes = source(s)
    if (!bytes || bytes[0] !== TextColumnKind.float64 || bytes.byteLength < HEADER + count * 8)
      throw corrupt(`predicted column's source ${s} is not a float64 column of the group`)
    if (new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true) !== count)
      throw corrupt('columns of a group differ in length')
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }) as [DataView, DataView]
  const out = new Uint8Array(chunk.byteLength - RELATION_BYTES)
  out.set(chunk.subarray(0, HEADER))
  out[0] = TextColumnKind.float64
  out.set(chunk.subarray(values + count * 8), HEADER + count * 8)
  const outView = new DataView(out.buffer)
  for (let row = 0; row < count; row++) {
    predictBits(
      relation,
      sources[0].getFloat64(HEADER + row * 8, true),
      sources[1].getFloat64(HEADER + row * 8, true),
      c,
    )
    unzigzagInto(view.getUint32(values + row * 8, true), view.getUint32(values + row * 8 + 4, true))
    outView.setUint32(HEADER + row * 8, word[0]!, true)
    outView.setUint32(HEADER + row * 8 + 4, word[1]!, true)
  }
  return out
}

/**
 * Resolves every predicted and ranked chunk of a group (the group's chunks, column by column). Their
 * sources are chunks of values, never of kind 8 or 9, so each resolves from the parts as they are.
 */
export function resolvePredictedGroup(parts: readonly Uint8Array[]): readonly Uint8Array[] {
  const { predicted, ranked } = TextColumnKind
  if (!parts.some((part) => part[0] === predicted || part[0] === ranked)) return parts
  const source = (c: number) => parts[c]
  return parts.map((part) =>
    part[0] === predicted
      ? resolvePredicted(part, source)
      : part[0] === ranked
        ? resolveRankedText(part, source)
        : part,
  )
}

/**
 * Stores float64 columns that follow from two others of their group as predicted columns (kind 8), where
 * that saves at least a byte a value on a sample; returns the group's chunks (the same array when none
 * is). Sources stay float64 columns: a prediction never reads another prediction.
 */
export function predictTextColumns(columns: Uint8Array[]): Uint8Array[] {
  const floats = columns.flatMap((column, c) => (column[0] === TextColumnKind.float64 ? [c] : []))
  if (floats.length < 2) return columns
  const count = new DataView(columns[0]!.buffer, columns[0]!.byteOffset).getUint32(4, true)
  if (count < 2) return columns
  const rows = sampleRows(count)
  const samples: ColumnSample[] = floats.map((c) => ({
    column: c,
    width: 8,
    ...sampledValues(columns[c]!, rows),
    kept: keptRows(columns[c]!, rows),
  }))
  const chosen = choosePredictions(samples)
  if (chosen.length === 0) return columns
  const out = [...columns]
  for (const p of chosen) out[p.target] = predictedChunk(columns, p)
  return out
}

/** A float64 chunk's values at `rows`, and the values of the rows before them. */
function sampledValues(
  chunk: Uint8Array,
  rows: Uint32Array,
): { value: Float64Array; previous: Float64Array } {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  const value = Float64Array.from(rows, (row) => view.getFloat64(HEADER + row * 8, true))
  const previous = Float64Array.from(rows, (row) => view.getFloat64(HEADER + (row - 1) * 8, true))
  return { value, previous }
}

/** The exception rows of a float64 chunk (SPEC §7.2: after its values), ascending. */
function exceptionRows(chunk: Uint8Array): Uint32Array {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  const table = HEADER + view.getUint32(4, true) * 8
  return Uint32Array.from({ length: view.getUint32(table, true) }, (_, e) =>
    view.getUint32(table + 4 + e * 8, true),
  )
}

/** Indexes into `rows` of the sampled rows whose value (and the one before) the chunk stores. */
function keptRows(chunk: Uint8Array, rows: Uint32Array): number[] {
  const exceptions = new Set(exceptionRows(chunk))
  const kept: number[] = []
  rows.forEach((row, k) => {
    if (!exceptions.has(row) && !exceptions.has(row - 1)) kept.push(k)
  })
  return kept
}

/** Column `target` of a group stored as predicted by `p` (SPEC §7.2, kind 8). */
function predictedChunk(columns: Uint8Array[], p: Prediction): Uint8Array {
  const chunk = columns[p.target]!
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  const count = view.getUint32(4, true)
  const exceptions = exceptionRows(chunk)
  const out = new Uint8Array(chunk.byteLength + RELATION_BYTES)
  out.set(chunk.subarray(0, HEADER))
  out[0] = TextColumnKind.predicted
  const outView = new DataView(out.buffer)
  out[HEADER] = p.relation
  outView.setUint16(HEADER + 2, p.a, true)
  outView.setUint16(HEADER + 4, p.b, true)
  outView.setFloat64(HEADER + 8, p.c, true)
  const values = HEADER + RELATION_BYTES
  out.set(chunk.subarray(HEADER + count * 8), values + count * 8)
  const sources = [columns[p.a]!, columns[p.b]!].map(
    (s) => new DataView(s.buffer, s.byteOffset, s.byteLength),
  )
  // An exception's slot is ignored: it holds residual 0.
  for (let row = 0, e = 0; row < count; row++) {
    if (row === exceptions[e]) {
      e++
      continue
    }
    predictBits(
      p.relation,
      sources[0]!.getFloat64(HEADER + row * 8, true),
      sources[1]!.getFloat64(HEADER + row * 8, true),
      p.c,
    )
    zigzagResidual(view.getFloat64(HEADER + row * 8, true))
    outView.setUint32(values + row * 8, residual[0]!, true)
    outView.setUint32(values + row * 8 + 4, residual[1]!, true)
  }
  return out
}
