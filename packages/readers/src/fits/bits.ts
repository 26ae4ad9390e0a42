/** X fields: `bits` bits per row, most significant first, as one byte (0 or 1) per bit. */
export function expandBits(
  src: Uint8Array,
  first: number,
  stride: number,
  rows: number,
  bits: number,
): Uint8Array {
  const out = new Uint8Array(rows * bits)
  let o = 0
  for (let r = 0, p = first; r < rows; r++, p += stride) {
    for (let b = 0; b < bits; b++) out[o++] = (src[p + (b >> 3)]! >> (7 - (b & 7))) & 1
  }
  return out
}

/** Variable-length X arrays: counts[k] bits starting at byte starts[k], one output byte per bit. */
export function expandBitsAt(src: Uint8Array, starts: Float64Array, counts: Float64Array): Uint8Array {
  let total = 0
  for (const count of counts) total += count
  const out = new Uint8Array(total)
  let o = 0
  for (let k = 0; k < starts.length; k++) {
    const p = starts[k]!
    const bits = counts[k]!
    for (let b = 0; b < bits; b++) out[o++] = (src[p + (b >> 3)]! >> (7 - (b & 7))) & 1
  }
  return out
}

/** Packs 0/1 bytes into Arrow's bitmap layout (least significant bit first). */
export function packBitmap(values: Uint8Array, invert = false): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 8))
  for (let i = 0; i < values.length; i++) {
    if ((values[i] !== 0) !== invert) out[i >> 3]! |= 1 << (i & 7)
  }
  return out
}
