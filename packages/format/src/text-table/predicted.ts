import { corrupt, HEADER, TextColumnKind } from './chunk.js'

/**
 * Float64 columns predicted from two others of the same line (SPEC §7.2, kind 8). Catalogs print values
 * derived from their other columns: JPL's perihelion distance q = a(1 - e), period a^1.5 (in years or
 * days) and mean motion k / a^1.5, colours as differences of magnitudes, a parallax over its error. Such a column is stored as the
 * difference between each double's bits and its prediction's, which takes a few bits where the double
 * took 52. Only IEEE's correctly rounded operations (+, -, ×, ÷, √) predict, so every reader computes
 * the same bits.
 */

/** How a predicted column's value follows from its sources a and b (times the chunk's constant c). */
export const Relation = {
  difference: 1,
  sum: 2,
  product: 3,
  quotient: 4,
  /** a × (1 - b): a perihelion distance from the semi-major axis and eccentricity. */
  timesOneMinus: 5,
  /** a × (1 + b): an aphelion distance. */
  timesOnePlus: 6,
  /** a × √b: with b = a, a period from the semi-major axis (Kepler's third law). */
  timesRoot: 7,
  /** 1 ÷ (a × √b): with b = a, a mean motion from the semi-major axis. */
  overTimesRoot: 8,
  /** a alone: the same quantity in another unit (a period in days and in years). */
  scaled: 9,
} as const

const RELATIONS = 9
/** Relations of one source (b = a) and a constant c the writer fits: the unit's factor. */
const SCALED: ReadonlySet<number> = new Set([Relation.timesRoot, Relation.overTimesRoot, Relation.scaled])

/** After a predicted chunk's header: u8 relation, u8 0, u16 a, u16 b, u16 0, f64 c. */
export const RELATION_BYTES = 16

/** c × f(a, b), each operation rounded to a double as IEEE 754 does. */
function predict(relation: number, a: number, b: number, c: number): number {
  switch (relation) {
    case Relation.difference:
      return c * (a - b)
    case Relation.sum:
      return c * (a + b)
    case Relation.product:
      return c * (a * b)
    case Relation.quotient:
      return c * (a / b)
    case Relation.timesOneMinus:
      return c * (a * (1 - b))
    case Relation.timesOnePlus:
      return c * (a * (1 + b))
    case Relation.timesRoot:
      return c * (a * Math.sqrt(b))
    case Relation.overTimesRoot:
      return c * (1 / (a * Math.sqrt(b)))
    default:
      return c * a
  }
}

// The bits of a double as two u32 words (little-endian: low word first), for the residual arithmetic.
const double = new Float64Array(1)
const word = new Uint32Array(double.buffer)

/**
 * Sets `word` to the bits of the prediction; a NaN prediction counts as +0 (engines differ in NaN bits).
 */
function predictBits(relation: number, a: number, b: number, c: number): void {
  const p = predict(relation, a, b, c)
  double[0] = Number.isNaN(p) ? 0 : p
}

// A residual's words (low, high), and a value's bits, as zigzagResidual works them out.
const residual = new Uint32Array(2)
const valueDouble = new Float64Array(1)
const valueWord = new Uint32Array(valueDouble.buffer)

/**
 * Sets `residual` to the zigzag residual of `value` against the prediction in `word`: (bits(value) -
 * bits(prediction)) mod 2^64 as a signed integer r, then (r << 1) XOR (r >> 63).
 */
function zigzagResidual(value: number): void {
  valueDouble[0] = value
  const plo = word[0]!
  const vlo = valueWord[0]!
  const lo = (vlo - plo) >>> 0
  const hi = (valueWord[1]! - word[1]! - (vlo < plo ? 1 : 0)) | 0
  const sign = hi >> 31
  residual[0] = ((lo << 1) ^ sign) >>> 0
  residual[1] = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0
}

/** Bits a zigzag residual needs (0 for none): what the search scores a relation by. */
function residualBits(): number {
  return residual[1] ? 64 - Math.clz32(residual[1]) : 32 - Math.clz32(residual[0]!)
}

/** A predicted chunk's relation record (after its header), checked: CORRUPT_CHUNK when damaged. */
function readRelation(chunk: Uint8Array): { relation: number; a: number; b: number; c: number } {
  if (chunk.byteLength < HEADER + RELATION_BYTES) throw corrupt('predicted column shorter than its relation')
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  const relation = chunk[HEADER]!
  if (
    relation < 1 ||
    relation > RELATIONS ||
    chunk[HEADER + 1] !== 0 ||
    view.getUint16(HEADER + 6, true) !== 0
  )
    throw corrupt(`unknown relation ${relation} of a predicted column`)
  const a = view.getUint16(HEADER + 2, true)
  const b = view.getUint16(HEADER + 4, true)
  return { relation, a, b, c: view.getFloat64(HEADER + 8, true) }
}

/**
 * The columns a predicted chunk reads (its sources a and b, once each, in column order: adjacent chunks
 * are then read together).
 */
export function predictedSources(chunk: Uint8Array): number[] {
  const { a, b } = readRelation(chunk)
  return a === b ? [a] : [Math.min(a, b), Math.max(a, b)]
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
    const zlo = view.getUint32(values + row * 8, true)
    const zhi = view.getUint32(values + row * 8 + 4, true)
    // Undo the zigzag, then add to the prediction's bits with the carry.
    const sign = -(zlo & 1)
    const rlo = (((zlo >>> 1) | (zhi << 31)) ^ sign) >>> 0
    const rhi = ((zhi >>> 1) ^ sign) >>> 0
    const lo = (word[0]! + rlo) >>> 0
    const hi = (word[1]! + rhi + (lo < rlo ? 1 : 0)) >>> 0
    outView.setUint32(HEADER + row * 8, lo, true)
    outView.setUint32(HEADER + row * 8 + 4, hi, true)
  }
  return out
}

/** Resolves every predicted chunk of a group (the group's chunks, column by column). */
export function resolvePredictedGroup(parts: readonly Uint8Array[]): readonly Uint8Array[] {
  if (!parts.some((part) => part[0] === TextColumnKind.predicted)) return parts
  return parts.map((part) =>
    part[0] === TextColumnKind.predicted ? resolvePredicted(part, (c) => parts[c]) : part,
  )
}

/** Rows a relation is scored on, spread over the group; the first PROBE_ROWS of them rule most out. */
const SAMPLE_ROWS = 256
const PROBE_ROWS = 16
/** Float64 columns a group's search considers (its first ones): the search grows with their cube. */
const MAX_COLUMNS = 32
/** A relation must save this many bits a value on its sample against the column's own differences. */
const MIN_SAVING = 8

/** A relation of two source columns (and a constant), and the mean bits its residuals took on a sample. */
interface Candidate {
  relation: number
  a: number
  b: number
  c: number
  bits: number
}

interface Prediction extends Candidate {
  target: number
  /** Bits a value saves on the sample against the column's own differences. */
  saving: number
}

/**
 * Stores float64 columns that follow from two others of their group as predicted columns (kind 8), where
 * that saves at least a byte a value on a sample; returns the group's chunks (the same array when none
 * is). Sources stay float64 columns: a prediction never reads another prediction.
 */
export function predictTextColumns(columns: Uint8Array[]): Uint8Array[] {
  const floats = columns.flatMap((column, c) => (column[0] === TextColumnKind.float64 ? [c] : []))
  if (floats.length < 2) return columns
  const considered = floats.slice(0, MAX_COLUMNS)
  const count = new DataView(columns[0]!.buffer, columns[0]!.byteOffset).getUint32(4, true)
  if (count < 2) return columns
  const rows = sampleRows(count)
  const values = new Map(considered.map((c) => [c, sampledValues(columns[c]!, rows)]))
  const found: Prediction[] = []
  for (const target of considered) {
    const kept = keptRows(columns[target]!, rows)
    if (kept.length < 2) continue
    const own = values.get(target)!
    let bits = 0
    for (const k of kept) {
      double[0] = own.previous[k]!
      zigzagResidual(own.value[k]!)
      bits += residualBits()
    }
    const base = bits / kept.length
    const best = searchRelation(target, considered, values, kept, base - MIN_SAVING)
    if (best) found.push({ ...best, target, saving: base - best.bits })
  }
  if (found.length === 0) return columns
  // The best savings first; a column is a source or a prediction, never both.
  found.sort((x, y) => y.saving - x.saving)
  const predicted = new Set<number>()
  const used = new Set<number>()
  const out = [...columns]
  for (const p of found) {
    if (used.has(p.target) || predicted.has(p.a) || predicted.has(p.b)) continue
    predicted.add(p.target)
    used.add(p.a).add(p.b)
    out[p.target] = predictedChunk(columns, p)
  }
  return out
}

/** Up to SAMPLE_ROWS row numbers spread evenly over `count` rows, each after a row (for its difference). */
function sampleRows(count: number): Uint32Array {
  const n = Math.min(SAMPLE_ROWS, count - 1)
  return Uint32Array.from({ length: n }, (_, i) => 1 + Math.floor((i * (count - 1)) / n))
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

/** The bits of row k's residual of y against c × f(a, b). */
function rowBits(
  relation: number,
  a: Float64Array,
  b: Float64Array,
  c: number,
  y: Float64Array,
  k: number,
): number {
  predictBits(relation, a[k]!, b[k]!, c)
  zigzagResidual(y[k]!)
  return residualBits()
}

/** The mean bits of the residuals over rows `ks`. */
function meanBits(
  relation: number,
  a: Float64Array,
  b: Float64Array,
  c: number,
  y: Float64Array,
  ks: readonly number[],
): number {
  let bits = 0
  for (const k of ks) bits += rowBits(relation, a, b, c, y, k)
  return bits / ks.length
}

/**
 * The relation of the other columns that predicts `target` in fewer than `limit` bits a value, if any.
 * Two rows rule out nearly every pair of columns that no relation links, so a wide table's thousands of
 * candidates cost little; the rest are scored on PROBE_ROWS rows, then on the whole sample.
 */
function searchRelation(
  target: number,
  considered: readonly number[],
  values: ReadonlyMap<number, { value: Float64Array }>,
  kept: readonly number[],
  limit: number,
): Candidate | undefined {
  const y = values.get(target)!.value
  const probe = kept.filter((_, i) => i % Math.ceil(kept.length / PROBE_ROWS) === 0)
  // A scaled relation's rough constant comes from the first row; the two rows that test it are others.
  const [first, second, third] = [kept[0]!, kept[kept.length >> 1]!, kept[kept.length - 1]!]
  let best: Candidate | undefined
  let bound = limit
  const sources = considered.filter((c) => c !== target)
  for (let relation = 1; relation <= RELATIONS; relation++)
    for (const a of sources)
      for (const b of sources) {
        // Sums and products need one order of their sources; a scaled relation, its one source twice.
        if ((relation === Relation.sum || relation === Relation.product) && b < a) continue
        const scaled = SCALED.has(relation)
        if (scaled && b !== a) continue
        const va = values.get(a)!.value
        const vb = values.get(b)!.value
        const rough = scaled ? y[first]! / predict(relation, va[first]!, va[first]!, 1) : 1
        if (
          rowBits(relation, va, vb, rough, y, second) >= bound &&
          rowBits(relation, va, vb, rough, y, third) >= bound
        )
          continue
        // The constant (Kepler's, or a unit's factor) is the sample's median ratio.
        const c = scaled ? medianRatio(relation, y, va, kept) : 1
        if (meanBits(relation, va, vb, c, y, probe) >= bound) continue
        const bits = meanBits(relation, va, vb, c, y, kept)
        if (bits < bound) {
          bound = bits
          best = { relation, a, b, c, bits }
        }
      }
  return best
}

/** The median of y / f(a, a) over `ks` (1 when none is finite and non-zero). */
function medianRatio(relation: number, y: Float64Array, a: Float64Array, ks: readonly number[]): number {
  const ratios = ks
    .map((k) => y[k]! / predict(relation, a[k]!, a[k]!, 1))
    .filter((r) => Number.isFinite(r) && r !== 0)
  ratios.sort((p, q) => p - q)
  return ratios[ratios.length >> 1] ?? 1
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
