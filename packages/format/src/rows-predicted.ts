import { AstropackError } from './errors.js'
import {
  type ContextColumn,
  codesOfRanks,
  findRankedColumns,
  RANKED,
  RANKED_RECORD_BYTES,
  rankCodes,
  readRankedRecord,
  writeRankedRecord,
} from './ranks.js'
import {
  type ColumnSample,
  choosePredictions,
  type Prediction,
  predictBits,
  RELATION_BYTES,
  type RelationRecord,
  readRelationRecord,
  residual,
  residualOfBits,
  sampleRows,
  unzigzagInto,
  word,
} from './relations.js'

/**
 * Float columns of a rows segment (FITS binary tables, HDF5 compound datasets) predicted from two others
 * of the same row (SPEC §7.1, feature bit 8; the relations and the search: relations.ts). A predicted
 * chunk holds a relation record, then per row the zigzag residual of the value's bits against the
 * prediction's, at the column's width and in its byte order: RELATION_BYTES more than the values, which
 * is how a reader tells it apart. A one-byte column may instead hold a ranked record and ranks, as many
 * bytes more (relation 10, feature bit 9; ranks.ts).
 */

/**
 * A column of numbers of a group (1, 2, 4 or 8 bytes a row, one number each): its index, byte order and
 * whether it holds IEEE floats (float32 or float64), which relations predict; any can be a ranked one's
 * source.
 */
export interface NumberColumn {
  column: number
  width: number
  bigEndian: boolean
  float: boolean
}

/** A float column of a group: float32 or float64. */
export type FloatColumn = NumberColumn & { width: 4 | 8 }

export const isFloatColumn = (n: NumberColumn): n is FloatColumn =>
  n.float && (n.width === 4 || n.width === 8)

const floatsOf = (numbers: readonly NumberColumn[]) => numbers.filter(isFloatColumn)

function corrupt(message: string): AstropackError {
  return new AstropackError('CORRUPT_CHUNK', `predicted table column: ${message}`)
}

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** Whether a chunk of a column `width` bytes wide in a group of `rows` rows is a predicted one. */
export function isPredictedRows(chunk: Uint8Array, width: number, rows: number): boolean {
  return chunk.byteLength === RELATION_BYTES + rows * width
}

/** A column of a rows segment stored as predicted: by which relation, from which columns. */
export type RowPrediction = Pick<Prediction, 'target' | 'relation' | 'a' | 'b' | 'c'>

/**
 * The float columns of a group that follow from two others of the same byte order, where that saves at
 * least a byte a value on a sample, and how (the search of relations.ts; ~10 ms for 40 unrelated float64
 * columns of a 4 MiB group, so a writer searches a segment's first groups and reuses what they found);
 * then the one-byte code columns that rank better in contexts of another column (ranks.ts).
 */
export function findRowPredictions(
  columns: readonly Uint8Array[],
  numbers: readonly NumberColumn[],
  rows: number,
): RowPrediction[] {
  const predictions = findFloatPredictions(columns, floatsOf(numbers), rows)
  const targets = new Set(predictions.map((p) => p.target))
  const candidates = columns.map((bytes, c): ContextColumn | undefined => {
    const number = numbers.find((n) => n.column === c)
    return number && !targets.has(c) ? { bytes, width: number.width, bigEndian: number.bigEndian } : undefined
  })
  for (const { target, source, shift } of findRankedColumns(candidates, rows))
    predictions.push({ target, relation: RANKED, a: source, b: shift, c: 0 })
  return predictions
}

function findFloatPredictions(
  columns: readonly Uint8Array[],
  floats: readonly FloatColumn[],
  rows: number,
): RowPrediction[] {
  const bigEndian = floats[0]?.bigEndian
  const same = floats.filter((f) => f.bigEndian === bigEndian)
  if (same.length < 2 || rows < 2) return []
  const sampled = sampleRows(rows)
  const kept = Array.from(sampled, (_, k) => k)
  const samples: ColumnSample[] = same.map(({ column, width }) => {
    const view = viewOf(columns[column]!)
    const at = (row: number) => readFloat(view, row * width, width, !bigEndian)
    return {
      column,
      width,
      value: Float64Array.from(sampled, at),
      previous: Float64Array.from(sampled, (row) => at(row - 1)),
      kept,
    }
  })
  return choosePredictions(samples).map(({ target, relation, a, b, c }) => ({ target, relation, a, b, c }))
}

/**
 * The group's columns with `predictions` applied: each target stored as its relation record and residuals,
 * or its ranked record and ranks (the same array when there are none). A float relation's target and
 * sources must be float columns of `numbers`, of one byte order; a ranked column's source among them.
 */
export function applyRowPredictions(
  columns: Uint8Array[],
  predictions: readonly RowPrediction[],
  numbers: readonly NumberColumn[],
): Uint8Array[] {
  if (predictions.length === 0) return columns
  const floatOf = new Map(floatsOf(numbers).map((f) => [f.column, f]))
  const out = [...columns]
  for (const p of predictions) {
    if (p.relation === RANKED) {
      out[p.target] = rankedChunk(columns, p, numbers)
      continue
    }
    const [target, a, b] = [floatOf.get(p.target), floatOf.get(p.a), floatOf.get(p.b)]
    if (!target || !a || !b || a.bigEndian !== target.bigEndian || b.bigEndian !== target.bigEndian)
      throw new AstropackError(
        'USAGE',
        `prediction of column ${p.target} from ${p.a} and ${p.b}: not float columns of one byte order`,
      )
    out[p.target] = predictedChunk(columns, p, floatOf, target.bigEndian)
  }
  return out
}

/** Column `p.target` (one byte a row) stored ranked in contexts of column `p.a` at shift `p.b`. */
function rankedChunk(
  columns: readonly Uint8Array[],
  p: RowPrediction,
  numbers: readonly NumberColumn[],
): Uint8Array {
  const source = numbers.find((n) => n.column === p.a)
  const codes = columns[p.target]!
  if (!source || numbers.find((n) => n.column === p.target)?.width !== 1)
    throw new AstropackError('USAGE', `ranked column ${p.target} from ${p.a}: not number columns`)
  const out = new Uint8Array(RANKED_RECORD_BYTES + codes.byteLength)
  writeRankedRecord(out, { source: p.a, tag: source.bigEndian ? 1 : 0, shift: p.b })
  rankCodes(codes, { bytes: columns[p.a]!, ...source }, p.b, out, RANKED_RECORD_BYTES)
  return out
}

/** findRowPredictions, then applyRowPredictions. */
export function predictRowColumns(
  columns: Uint8Array[],
  numbers: readonly NumberColumn[],
  rows: number,
): Uint8Array[] {
  return applyRowPredictions(columns, findRowPredictions(columns, numbers, rows), numbers)
}

function readFloat(view: DataView, at: number, width: number, littleEndian: boolean): number {
  return width === 4 ? view.getFloat32(at, littleEndian) : view.getFloat64(at, littleEndian)
}

/** Column `p.target` of a group stored as predicted by `p`: its relation record, then its residuals. */
function predictedChunk(
  columns: readonly Uint8Array[],
  p: RowPrediction,
  floatOf: ReadonlyMap<number, FloatColumn>,
  bigEndian: boolean,
): Uint8Array {
  const width = floatOf.get(p.target)!.width
  const target = viewOf(columns[p.target]!)
  const rows = target.byteLength / width
  const out = new Uint8Array(RELATION_BYTES + rows * width)
  const view = viewOf(out)
  out[0] = p.relation
  out[1] = bigEndian ? 1 : 0
  view.setUint16(2, p.a, true)
  view.setUint16(4, p.b, true)
  view.setFloat64(8, p.c, true)
  const little = !bigEndian
  const [a, b] = [p.a, p.b].map((s) => ({ view: viewOf(columns[s]!), width: floatOf.get(s)!.width })) as [
    Source,
    Source,
  ]
  for (let row = 0, at = 0; row < rows; row++, at += width) {
    predictBits(p.relation, sourceValue(a, row, little), sourceValue(b, row, little), p.c, width)
    // The value's own bits, NaN payloads too: read as integers, not as a number.
    if (width === 4) residualOfBits(target.getUint32(at, little), 0, 4)
    else
      residualOfBits(
        target.getUint32(at + (little ? 0 : 4), little),
        target.getUint32(at + (little ? 4 : 0), little),
        8,
      )
    writeResidual(view, RELATION_BYTES + at, width, little)
  }
  return out
}

interface Source {
  view: DataView
  width: number
}

function sourceValue(source: Source, row: number, littleEndian: boolean): number {
  return readFloat(source.view, row * source.width, source.width, littleEndian)
}

function writeResidual(view: DataView, at: number, width: number, little: boolean): void {
  if (width === 4) view.setUint32(at, residual[0]!, little)
  else {
    view.setUint32(at + (little ? 0 : 4), residual[0]!, little)
    view.setUint32(at + (little ? 4 : 0), residual[1]!, little)
  }
}

/** A predicted chunk's record, checked: CORRUPT_CHUNK when damaged. */
function readRelation(chunk: Uint8Array): RelationRecord {
  const record = readRelationRecord(chunk, 0)
  if (record.order > 1) throw corrupt(`byte order ${record.order} of a relation`)
  return record
}

/** The columns a predicted chunk reads (a and b, once each, in column order). */
export function predictedRowSources(chunk: Uint8Array): number[] {
  return chunk[0] === RANKED ? [readRankedRecord(chunk).source] : readRelation(chunk).sources
}

/**
 * The values a predicted chunk of a `width`-byte column stands for, in a group of `rows` rows, given
 * the group's chunks (`source(c)`: column c's decoded chunk and width). Its sources must be float columns
 * (4 or 8 bytes) holding values, not predictions; anything else is damage.
 */
export function resolvePredictedRows(
  chunk: Uint8Array,
  width: number,
  rows: number,
  source: (c: number) => { bytes: Uint8Array; width: number } | undefined,
): Uint8Array {
  if (chunk[0] === RANKED) return resolveRankedRows(chunk, width, rows, source)
  const { relation, order, a, b, c } = readRelation(chunk)
  const bigEndian = order === 1
  if ((width !== 4 && width !== 8) || !isPredictedRows(chunk, width, rows))
    throw corrupt(
      `a ${width}-byte column cannot hold ${chunk.byteLength} bytes of predictions for ${rows} rows`,
    )
  const little = !bigEndian
  const [sa, sb] = [a, b].map((s) => {
    const found = source(s)
    if (!found || (found.width !== 4 && found.width !== 8) || found.bytes.byteLength !== rows * found.width)
      throw corrupt(`source ${s} is not a float column of values in the group`)
    return { view: viewOf(found.bytes), width: found.width }
  }) as [Source, Source]
  const view = viewOf(chunk)
  const out = new Uint8Array(rows * width)
  const outView = viewOf(out)
  for (let row = 0, at = 0; row < rows; row++, at += width) {
    predictBits(relation, sourceValue(sa, row, little), sourceValue(sb, row, little), c, width)
    const from = RELATION_BYTES + at
    if (width === 4) {
      unzigzagInto(view.getUint32(from, little), 0, 4)
      outView.setUint32(at, word[0]!, little)
    } else {
      const low = little ? 0 : 4
      unzigzagInto(view.getUint32(from + low, little), view.getUint32(from + 4 - low, little))
      outView.setUint32(at + low, word[0]!, little)
      outView.setUint32(at + 4 - low, word[1]!, little)
    }
  }
  return out
}

/** The codes a ranked chunk of a one-byte column stands for (SPEC §7.1, relation 10). */
function resolveRankedRows(
  chunk: Uint8Array,
  width: number,
  rows: number,
  source: (c: number) => { bytes: Uint8Array; width: number } | undefined,
): Uint8Array {
  const record = readRankedRecord(chunk)
  if (record.tag > 1) throw corrupt(`byte order ${record.tag} of a ranked column's source`)
  if (width !== 1 || !isPredictedRows(chunk, width, rows))
    throw corrupt(`a ${width}-byte column cannot hold ${chunk.byteLength} bytes of ranks for ${rows} rows`)
  const found = source(record.source)
  if (!found || ![1, 2, 4, 8].includes(found.width) || found.bytes.byteLength !== rows * found.width)
    throw corrupt(`source ${record.source} of a ranked column is not a column of values in the group`)
  const ranks = chunk.subarray(RANKED_RECORD_BYTES)
  return codesOfRanks(ranks, { ...found, bigEndian: record.tag === 1 }, record.shift)
}

/** A rows group's column chunks with every predicted one resolved to its values (the same array if none). */
export function resolvePredictedRowsGroup(
  parts: readonly Uint8Array[],
  widths: readonly number[],
  rows: number,
): readonly Uint8Array[] {
  if (!parts.some((part, c) => isPredictedRows(part, widths[c]!, rows))) return parts
  const source = (s: number) => {
    const bytes = parts[s]
    return bytes && widths[s] !== undefined ? { bytes, width: widths[s] } : undefined
  }
  return parts.map((part, c) =>
    isPredictedRows(part, widths[c]!, rows) ? resolvePredictedRows(part, widths[c]!, rows, source) : part,
  )
}
