import { AstropackError } from './errors.js'

/**
 * Columns predicted from two others of the same row (SPEC §7.1 and §7.2): the relations, the residual
 * arithmetic and the writer's search, shared by text tables (kind 8) and rows segments. Catalogs store
 * values derived from their other columns: JPL's perihelion distance q = a(1 - e), an error as a fixed
 * fraction of its flux (STIS), a variance as √2 × an RMS, a HEALPix window's polarisation beside its
 * temperature. Such a column is stored as the difference between each value's bits and its prediction's,
 * which takes a few bits where the value took 23 or 52. Only IEEE's correctly rounded operations (+, -, ×,
 * ÷, √, and the rounding to float32) predict, so every reader computes the same bits.
 */

/** How a predicted column's value follows from its sources a and b (times the record's constant c). */
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
  /** a alone: the same quantity in another unit, or a fixed fraction of another. */
  scaled: 9,
} as const

export const RELATIONS = 9
/** Relations of one source (b = a) and a constant c the writer fits: the unit's factor. */
const SCALED: ReadonlySet<number> = new Set([Relation.timesRoot, Relation.overTimesRoot, Relation.scaled])

/** A relation record: u8 relation, u8 byte order (rows; 0 in text), u16 a, u16 b, u16 0, f64 c. */
export const RELATION_BYTES = 16

/** A relation record as stored: byte 1 is the byte order in rows segments and 0 in text tables. */
export interface RelationRecord {
  relation: number
  order: number
  a: number
  b: number
  c: number
  /** a and b, once each, in column order (side-by-side chunks are then read together). */
  sources: number[]
}

/** The relation record at `at`, checked: CORRUPT_CHUNK for a short chunk, an unknown relation or reserved bits. */
export function readRelationRecord(chunk: Uint8Array, at: number): RelationRecord {
  if (chunk.byteLength < at + RELATION_BYTES)
    throw new AstropackError('CORRUPT_CHUNK', 'predicted column shorter than its relation')
  const view = new DataView(chunk.buffer, chunk.byteOffset + at, RELATION_BYTES)
  const relation = view.getUint8(0)
  if (relation < 1 || relation > RELATIONS || view.getUint16(6, true) !== 0)
    throw new AstropackError('CORRUPT_CHUNK', `unknown relation ${relation} of a predicted column`)
  const [a, b] = [view.getUint16(2, true), view.getUint16(4, true)]
  const sources = a === b ? [a] : [Math.min(a, b), Math.max(a, b)]
  return { relation, order: view.getUint8(1), a, b, c: view.getFloat64(8, true), sources }
}

/** c × f(a, b), each operation rounded to a double as IEEE 754 does. */
export function predict(relation: number, a: number, b: number, c: number): number {
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

// The bits of a prediction (`word`: as two u32 words, low first; `word32`: as a float32), and of a value.
const double = new Float64Array(1)
export const word = new Uint32Array(double.buffer)
const single = new Float32Array(2)
const singleWord = new Uint32Array(single.buffer)

/**
 * Sets `word` to the bits of the prediction as a double, or (`width` 4) word[0] to its bits rounded to a
 * float32; a NaN prediction counts as +0 (engines differ in NaN bits).
 */
export function predictBits(relation: number, a: number, b: number, c: number, width = 8): void {
  const p = predict(relation, a, b, c)
  if (width === 4) {
    single[0] = Number.isNaN(p) ? 0 : p
    word[0] = singleWord[0]!
    word[1] = 0
  } else double[0] = Number.isNaN(p) ? 0 : p
}

// A residual's words (low, high), and a value's bits, as zigzagResidual works them out.
export const residual = new Uint32Array(2)
const valueDouble = new Float64Array(1)
const valueWord = new Uint32Array(valueDouble.buffer)

/**
 * Sets `residual` to the zigzag residual of `value` against the prediction in `word`: (bits(value) -
 * bits(prediction)) mod 2^(8 width) as a signed integer r, then (r << 1) XOR (r >> (8 width - 1)).
 */
export function zigzagResidual(value: number, width = 8): void {
  if (width === 4) {
    single[1] = value
    residualOfBits(singleWord[1]!, 0, 4)
  } else {
    valueDouble[0] = value
    residualOfBits(valueWord[0]!, valueWord[1]!, 8)
  }
}

/** zigzagResidual of a value given by its bits: low and high u32 words (width 8), or one word (width 4). */
export function residualOfBits(vlo: number, vhi: number, width: number): void {
  if (width === 4) {
    const r = (vlo - word[0]!) | 0
    residual[0] = ((r << 1) ^ (r >> 31)) >>> 0
    residual[1] = 0
    return
  }
  const plo = word[0]!
  const lo = (vlo - plo) >>> 0
  const hi = (vhi - word[1]! - (vlo >>> 0 < plo ? 1 : 0)) | 0
  const sign = hi >> 31
  residual[0] = ((lo << 1) ^ sign) >>> 0
  residual[1] = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0
}

/** The value's bits from the prediction's (in `word`) and a zigzag residual (zlo, zhi): into `word`. */
export function unzigzagInto(zlo: number, zhi: number, width = 8): void {
  const sign = -(zlo & 1)
  if (width === 4) {
    word[0] = (word[0]! + ((zlo >>> 1) ^ sign)) >>> 0
    return
  }
  const rlo = (((zlo >>> 1) | (zhi << 31)) ^ sign) >>> 0
  const rhi = ((zhi >>> 1) ^ sign) >>> 0
  const lo = (word[0]! + rlo) >>> 0
  word[1] = (word[1]! + rhi + (lo < rlo ? 1 : 0)) >>> 0
  word[0] = lo
}

/** Sets the prediction to `value` itself (its own bits, NaN's too): a column's difference from its last row. */
function predictItself(value: number, width: number): void {
  if (width === 4) {
    single[0] = value
    word[0] = singleWord[0]!
    word[1] = 0
  } else double[0] = value
}

/** Bits a zigzag residual needs (0 for none): what the search scores a relation by. */
function residualBits(): number {
  return residual[1] ? 64 - Math.clz32(residual[1]) : 32 - Math.clz32(residual[0]!)
}

/** Rows a relation is scored on, spread over the group; the first PROBE_ROWS of them rule most out. */
const SAMPLE_ROWS = 256
const PROBE_ROWS = 16
/** Float columns a group's search considers (its first ones): the search grows with their cube. */
const MAX_COLUMNS = 32
/** A relation must save this many bits a value on its sample against the column's own differences. */
const MIN_SAVING = 8

/** Up to SAMPLE_ROWS row numbers spread evenly over `count` rows, each after a row (for its difference). */
export function sampleRows(count: number): Uint32Array {
  const n = Math.min(SAMPLE_ROWS, count - 1)
  return Uint32Array.from({ length: n }, (_, i) => 1 + Math.floor((i * (count - 1)) / n))
}

/** A float column's sampled values (as doubles), the values of the rows before them, and which to score. */
export interface ColumnSample {
  column: number
  /** 4 (float32) or 8 (float64): the width residuals are taken at. */
  width: number
  value: Float64Array
  previous: Float64Array
  /** Indexes into the sample of the rows whose value (and the one before) the column stores. */
  kept: readonly number[]
}

/** A relation of two source columns (and a constant), and the mean bits its residuals took on a sample. */
interface Candidate {
  relation: number
  a: number
  b: number
  c: number
  bits: number
}

export interface Prediction extends Candidate {
  target: number
  /** Bits a value saves on the sample against the column's own differences. */
  saving: number
}

/**
 * The columns to store as predicted, and how: for each float column, the relation of two others that
 * saves at least MIN_SAVING bits a value on the sample against its own differences; the best savings are
 * taken first, and a column is a source or a prediction, never both (a prediction never reads another).
 */
export function choosePredictions(samples: readonly ColumnSample[]): Prediction[] {
  const considered = samples.slice(0, MAX_COLUMNS)
  if (considered.length < 2) return []
  const found: Prediction[] = []
  for (const target of considered) {
    if (target.kept.length < 2) continue
    let bits = 0
    for (const k of target.kept) {
      predictItself(target.previous[k]!, target.width)
      zigzagResidual(target.value[k]!, target.width)
      bits += residualBits()
    }
    const base = bits / target.kept.length
    const best = searchRelation(target, considered, base - MIN_SAVING)
    if (best) found.push({ ...best, target: target.column, saving: base - best.bits })
  }
  found.sort((x, y) => y.saving - x.saving)
  const predicted = new Set<number>()
  const used = new Set<number>()
  const chosen: Prediction[] = []
  for (const p of found) {
    if (used.has(p.target) || predicted.has(p.a) || predicted.has(p.b)) continue
    predicted.add(p.target)
    used.add(p.a).add(p.b)
    chosen.push(p)
  }
  return chosen
}

/** The bits of row k's residual of y against c × f(a, b). */
function rowBits(
  relation: number,
  a: Float64Array,
  b: Float64Array,
  c: number,
  y: Float64Array,
  k: number,
  width: number,
): number {
  predictBits(relation, a[k]!, b[k]!, c, width)
  zigzagResidual(y[k]!, width)
  return residualBits()
}

/** The mean bits of the residuals over rows `ks`. */
function meanBits(
  relation: number,
  a: Float64Array,
  b: Float64Array,
  c: number,
  target: ColumnSample,
  ks: readonly number[],
): number {
  let bits = 0
  for (const k of ks) bits += rowBits(relation, a, b, c, target.value, k, target.width)
  return bits / ks.length
}

/**
 * The relation of the other columns that predicts `target` in fewer than `limit` bits a value, if any.
 * Two rows rule out nearly every pair of columns that no relation links, so a wide table's thousands of
 * candidates cost little; the rest are scored on PROBE_ROWS rows, then on the whole sample.
 */
function searchRelation(
  target: ColumnSample,
  considered: readonly ColumnSample[],
  limit: number,
): Candidate | undefined {
  const { kept, value: y, width } = target
  const probe = kept.filter((_, i) => i % Math.ceil(kept.length / PROBE_ROWS) === 0)
  // A scaled relation's rough constant comes from the first rows; the two rows that test it are others.
  const [second, third] = [kept[kept.length >> 1]!, kept[kept.length - 1]!]
  let best: Candidate | undefined
  let bound = limit
  const sources = considered.filter((s) => s !== target)
  for (let relation = 1; relation <= RELATIONS; relation++)
    for (const a of sources)
      for (const b of sources) {
        // Sums and products need one order of their sources; a scaled relation, its one source twice.
        if ((relation === Relation.sum || relation === Relation.product) && b.column < a.column) continue
        const scaled = SCALED.has(relation)
        if (scaled && b !== a) continue
        const va = a.value
        const vb = b.value
        const rough = scaled ? roughRatio(relation, y, va, kept) : 1
        if (
          rowBits(relation, va, vb, rough, y, second, width) >= bound &&
          rowBits(relation, va, vb, rough, y, third, width) >= bound
        )
          continue
        // The constant (Kepler's, or a unit's factor) is the sample's median ratio.
        const c = scaled ? medianRatio(relation, y, va, kept) : 1
        if (meanBits(relation, va, vb, c, target, probe) >= bound) continue
        const bits = meanBits(relation, va, vb, c, target, kept)
        if (bits < bound) {
          bound = bits
          best = { relation, a: a.column, b: b.column, c, bits }
        }
      }
  return best
}

/**
 * y / f(a, a) at the first of the first 8 rows where it is finite and not 0 (a HEALPix window's
 * polarisation is 0 at l = 0 and 1), else 1.
 */
function roughRatio(relation: number, y: Float64Array, a: Float64Array, ks: readonly number[]): number {
  for (const k of ks.slice(0, 8)) {
    const ratio = y[k]! / predict(relation, a[k]!, a[k]!, 1)
    if (Number.isFinite(ratio) && ratio !== 0) return ratio
  }
  return 1
}

/** The median of y / f(a, a) over `ks` (1 when none is finite and non-zero). */
function medianRatio(relation: number, y: Float64Array, a: Float64Array, ks: readonly number[]): number {
  const ratios = ks
    .map((k) => y[k]! / predict(relation, a[k]!, a[k]!, 1))
    .filter((r) => Number.isFinite(r) && r !== 0)
  ratios.sort((p, q) => p - q)
  return ratios[ratios.length >> 1] ?? 1
}
