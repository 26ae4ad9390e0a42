import { applyTransforms, type Codec, GRID_DIVISORS, MAX_LAG, type TransformStep } from '@astropack/codecs'
import { frameBound } from '../buffer-pool.js'
import { highPlanesFirst, numberChains } from '../layouts/segments.js'
import { slot } from './working-memory.js'

/**
 * How a chunk chooses what it is encoded with: the transform chain (by a sample, or the probe chains for
 * data of unknown layout) and the codec level of its column.
 */

/** A higher zstd level that a column keeps when it makes the column's sample BOOST_GAIN smaller. */
const BOOST_LEVEL = 6
const BOOST_GAIN = 0.97
/**
 * A lower zstd level that a column keeps unless it makes the column's sample more than LOWER_GAIN larger:
 * level 1 codes about twice as fast as 3 (Tycho-2's positions in bit planes 1.2-1.5 GB/s against 0.6-0.8),
 * and over whole columns it loses less than on a 128 KiB sample (Tycho-2's positions: +0.4-0.7% on their
 * samples, +0.15-0.18% whole; its magnitudes 1.35% smaller whole).
 */
const LOWER_LEVEL = 1
const LOWER_GAIN = 1.01

/**
 * The level for a column at the codec's default level: BOOST_LEVEL when that compresses a sample of it
 * (with its chain) at least 3% smaller, LOWER_LEVEL unless that makes it more than 1% larger, else `level`.
 * Decimals converted from sexagesimal positions repeat digit patterns that lazy matching finds (Hipparcos
 * CSV: 2.02 -> 1.85 MB), where the bit planes of full-precision doubles lose by it (Tycho-2 CSV +0.7% at
 * level 6 everywhere); and bytes of nearly no repeats (ranks, noisy bit planes) code as well or better
 * with level 1's fewer, longer matches (Tycho-2's sweep as ranks: 102 -> 91 KB a group), and faster. So
 * it is decided by column. Against keeping level 3 unless level 1 won by 3% (2026-11-27): the corpus
 * file by file 248.97 -> 247.90 MB (Tycho-2's FITS table +0.04%, its index -1.7%, no file over +0.5%),
 * the kept-aside set +0.08% (no file over +1.3%); with the metrics measured a block at a time, the 5 GiB
 * table packs at 345 MB/s against 235 (BENCHMARKS.md's large runs; zstd -3 -T2 255 and 196 in them).
 */
export function columnLevel(codec: Codec, level: number, raw: Uint8Array, steps: TransformStep[]): number {
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
  if (codec.encode(transformed, BOOST_LEVEL, frame).byteLength <= base * BOOST_GAIN) return BOOST_LEVEL
  return codec.encode(transformed, LOWER_LEVEL, frame).byteLength <= base * LOWER_GAIN ? LOWER_LEVEL : level
}

/**
 * Gives decimal steps without a scale the smallest scale (0-9) at which nine in ten of the first values
 * are exact decimals, and grid steps without a divisor the coarsest grid that keeps nine in ten of them;
 * chains for which there is none are dropped.
 */
export function withParams(chains: readonly TransformStep[][], raw: Uint8Array): TransformStep[][] {
  const out: TransformStep[][] = []
  for (const chain of chains) {
    const first = chain[0]
    if (first?.op.startsWith('decimal') && first.scale === undefined) {
      const scale = decimalScale(raw, first.width, first.op === 'decimal-be')
      if (scale !== undefined) out.push([{ ...first, scale }, ...chain.slice(1)])
    } else if (first?.op.startsWith('grid') && first.grid === undefined) {
      const grid = gridIndex(raw, first)
      if (grid !== undefined) out.push([{ ...first, grid }, ...chain.slice(1)])
    } else out.push(chain)
  }
  return out
}

/** The first grid (coarsest) on which the step keeps nine in ten of the first values as counts. */
function gridIndex(raw: Uint8Array, step: TransformStep): number | undefined {
  const sample = raw.subarray(0, Math.min(1024, Math.floor(raw.byteLength / 8)) * 8)
  if (sample.byteLength === 0) return undefined
  const out = slot('grid sample', sample.byteLength)
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  const littleEndian = step.op === 'grid-le'
  const hiAt = littleEndian ? 4 : 0
  for (let grid = 0; grid < GRID_DIVISORS.length; grid++) {
    try {
      applyTransforms([{ ...step, grid }], sample, out)
    } catch {
      return undefined // a subnormal value: no grid keeps it
    }
    let counts = 0
    for (let at = 0; at < sample.byteLength; at += 8)
      if (view.getUint32(at + hiAt, littleEndian) >>> 21 === 0) counts++
    if (counts >= (sample.byteLength / 8) * 0.9) return grid
  }
  return undefined
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

/** Pieces a chunk's sample is taken in, spread over it. */
const SAMPLE_PIECES = 4

/**
 * PROBE_BYTES of `raw` in SAMPLE_PIECES pieces from across it (at multiples of 8 bytes, so whole values
 * of every width): an image's first rows or a table's first values can be unlike the rest (an image's
 * top rows of sky picked a chain 0.6% worse for the whole WFPC2 frame than its full first chunk did).
 */
function spreadSample(raw: Uint8Array): Uint8Array {
  if (raw.byteLength <= PROBE_BYTES) return raw
  const piece = PROBE_BYTES / SAMPLE_PIECES
  const sample = slot('spread sample', PROBE_BYTES)
  for (let i = 0; i < SAMPLE_PIECES; i++) {
    const at = Math.floor(((raw.byteLength - piece) * i) / (SAMPLE_PIECES - 1) / 8) * 8
    sample.set(raw.subarray(at, at + piece), i * piece)
  }
  return sample
}

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
  // Small integers of either sign apart (astrometry.net's quads: four star numbers near each other, 10%
  // smaller than with XOR and byte planes).
  [
    { op: 'delta-zigzag-le', width: 4 },
    { op: 'bitshuffle', width: 4 },
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
export function probeChain(
  codec: Codec,
  level: number,
  raw: Uint8Array,
  fieldWidth?: number,
): TransformStep[] {
  if (raw.byteLength < 2 * PROBE_BYTES || looksLikeText(raw.subarray(0, PROBE_BYTES))) return []
  return pickBySample(
    codec,
    level,
    raw,
    fieldWidth ? [...PROBE_CHAINS, ...fieldChains(fieldWidth)] : PROBE_CHAINS,
  )
}

/**
 * For a field of `width` bytes in every row (binary data in a FITS character column: astrometry.net's
 * star positions, three uint32 a row), zigzagged differences of little-endian 4-byte words with the same
 * word of the row before (Tycho-2 index: 21.4 -> 17.1 MB for the star positions). Astrometry.net writes
 * its machine's order: little-endian everywhere now; the big-endian variant picked on samples of the
 * kd-tree codes lost 6% over whole chunks.
 */
function fieldChains(width: number): TransformStep[][] {
  const lag = width / 4
  if (width < 8 || !Number.isInteger(lag) || lag > MAX_LAG) return []
  return [
    [
      { op: 'delta-zigzag-le', width: 4, lag },
      { op: 'bitshuffle', width: 4 },
    ],
  ]
}

/**
 * How much smaller than the best chain before it a later candidate must make a sample to be chosen. A
 * sample on which two chains come within 1% says little about the rest of the column, so the earlier
 * chain keeps it: the order of the candidates says which is tried first. A chunk no larger than a sample
 * is tried whole, and its smallest chain wins (WMAP's HEALPix floats: XORs by 0.3%).
 */
const LATER_CHAIN_GAIN = 0.99

/**
 * The chain that compresses the first PROBE_BYTES of `raw` best. A transform must earn its keep: at least
 * 2% smaller than the plain bytes (the first chain, which must be the empty one), and a later chain
 * LATER_CHAIN_GAIN smaller than the best before it (any smaller, on a chunk tried whole).
 */
export function pickBySample(
  codec: Codec,
  level: number,
  raw: Uint8Array,
  chains: readonly TransformStep[][],
): TransformStep[] {
  const sample = spreadSample(raw)
  // A sample that is the whole chunk says exactly which chain is smallest there.
  const laterGain = sample === raw ? 1 : LATER_CHAIN_GAIN
  let plain = Number.POSITIVE_INFINITY
  let best = { size: Number.POSITIVE_INFINITY, chain: [] as TransformStep[] }
  for (const chain of withParams(chains, sample)) {
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
    if (size < best.size * laterGain) best = { size, chain }
  }
  return best.chain.length > 0 && best.size < plain * 0.98 ? best.chain : []
}

/** Chains for the typed columns of a text table, by their kind byte (see @astropack/format text-table). */
// Their values are little-endian; float64 fields that are decimals are the decimal kind already.
export const FLOAT64_CHAINS = numberChains('float', 8, false, false)
// Decimal and fixed values: as is, byte planes, bit planes, byte planes of differences.
const INT32_CHAINS: TransformStep[][] = highPlanesFirst(
  [
    [],
    [{ op: 'shuffle', width: 4 }],
    [{ op: 'bitshuffle', width: 4 }],
    [
      { op: 'delta-le', width: 4 },
      { op: 'shuffle', width: 4 },
    ],
    [
      { op: 'delta-zigzag-le', width: 4 },
      { op: 'shuffle', width: 4 },
    ],
  ],
  4,
)
const INT64_CHAINS = numberChains('int', 8, false)
/** One byte per row, mostly a few codes: bit planes pack two codes into one bit. */
const DICTIONARY_CHAINS: TransformStep[][] = [[], [{ op: 'bitshuffle', width: 1 }]]
export const TEXT_COLUMN_CHAINS: Record<number, TransformStep[][]> = {
  2: FLOAT64_CHAINS,
  3: INT32_CHAINS,
  4: INT32_CHAINS,
  5: INT64_CHAINS,
  6: DICTIONARY_CHAINS,
  7: INT32_CHAINS,
  // Residuals of predicted columns: small integers, zigzag-coded.
  8: INT64_CHAINS,
  // Ranks: bytes as they are, at the level that codes them best (columnLevel).
  9: [[]],
}
