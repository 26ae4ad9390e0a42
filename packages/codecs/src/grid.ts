import { AstropackError } from './errors.js'

/**
 * Grids that catalog values sit on, coarse to fine: degrees from seconds of time (240 per degree) and of
 * arc (3600), each to 1, 0.1, 0.01, 0.001 of a second; arcminutes and tenths; days from seconds (86400).
 * The grid transform's parameter is an index into this list (SPEC §7.1), so the list only ever grows.
 */
export const GRID_DIVISORS: readonly number[] = [
  60, 240, 600, 2400, 3600, 24000, 36000, 86400, 240000, 360000, 864000, 2400000, 3600000,
]

/** Grid counts k stay below this in magnitude, so that (k + K_OFFSET) × 16 + 15 < 2^52. */
const K_OFFSET = 2 ** 47
const TWO_32 = 2 ** 32

/**
 * grid: a float64 x near k / divisor, the double nearest to k / divisor give or take up to 8 units in the
 * last place, becomes y = (k + 2^47) × 16 + (the difference in units + 8): positions converted from
 * sexagesimal, with whatever arithmetic, keep their 23-bit count and a few bits of rounding, not 64 bits.
 * Any other element keeps its bits, whose top 11 bits are then never zero but for positive subnormals,
 * which make the transform inapplicable to the chunk (it throws; the writer tries another).
 */
export function grid(
  data: Uint8Array,
  width: number,
  out: Uint8Array,
  bigEndian: boolean,
  decode: boolean,
  index: number,
): void {
  const divisor = GRID_DIVISORS[index]
  if (width !== 8 || divisor === undefined) {
    throw new AstropackError(
      'CORRUPT_INDEX',
      `grid transform needs width 8 and a divisor index below ${GRID_DIVISORS.length}, got ${width}, ${index}`,
    )
  }
  const whole = Math.floor(data.byteLength / 8) * 8
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const o = new DataView(out.buffer, out.byteOffset, out.byteLength)
  ;(decode ? decodeGrid : encodeGrid)(d, o, whole, !bigEndian, divisor)
  out.set(data.subarray(whole), whole)
}

const bits = new DataView(new ArrayBuffer(8))

function encodeGrid(d: DataView, o: DataView, whole: number, le: boolean, divisor: number): void {
  const [hiAt, loAt] = le ? [4, 0] : [0, 4]
  for (let i = 0; i < whole; i += 8) {
    const hi = d.getUint32(i + hiAt, le)
    const lo = d.getUint32(i + loAt, le)
    // + 0 turns -0 into 0, as decode computes it.
    const k = Math.round(d.getFloat64(i, le) * divisor) + 0
    if (Math.abs(k) < K_OFFSET) {
      bits.setFloat64(0, k / divisor)
      const units = (hi - bits.getUint32(0)) * TWO_32 + (lo - bits.getUint32(4))
      if (units >= -8 && units <= 7) {
        const y = (k + K_OFFSET) * 16 + units + 8
        o.setUint32(i + hiAt, Math.floor(y / TWO_32), le)
        o.setUint32(i + loAt, y % TWO_32, le)
        continue
      }
    }
    if (hi >>> 21 === 0)
      throw new AstropackError('UNSUPPORTED_FEATURE', 'grid: a subnormal value cannot be kept')
    o.setUint32(i + hiAt, hi, le)
    o.setUint32(i + loAt, lo, le)
  }
}

function decodeGrid(d: DataView, o: DataView, whole: number, le: boolean, divisor: number): void {
  const [hiAt, loAt] = le ? [4, 0] : [0, 4]
  for (let i = 0; i < whole; i += 8) {
    const hi = d.getUint32(i + hiAt, le)
    const lo = d.getUint32(i + loAt, le)
    if (hi >>> 21 !== 0) {
      o.setUint32(i + hiAt, hi, le)
      o.setUint32(i + loAt, lo, le)
      continue
    }
    const y = hi * TWO_32 + lo
    const k = Math.floor(y / 16) - K_OFFSET
    bits.setFloat64(0, k / divisor)
    // The nearest double's bits plus the difference, as a 64-bit integer.
    let low = bits.getUint32(4) + (y % 16) - 8
    let high = bits.getUint32(0)
    if (low < 0) {
      low += TWO_32
      high--
    } else if (low >= TWO_32) {
      low -= TWO_32
      high++
    }
    o.setUint32(i + hiAt, high >>> 0, le)
    o.setUint32(i + loAt, low, le)
  }
}
