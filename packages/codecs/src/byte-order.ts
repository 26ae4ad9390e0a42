/**
 * Each element's bytes in reverse order (SPEC §7.1, op 12, its own inverse): little-endian numbers then
 * lie most significant byte first, so the byte or bit planes after it come high planes first, as a
 * big-endian column's do. zstd codes them better so (Tycho-2's magnitudes as little-endian decimals, in
 * byte planes: 2.97 -> 2.88 MB). Trailing bytes that do not fill an element pass through unchanged.
 */
export function swapBytes(data: Uint8Array, width: number, out: Uint8Array): void {
  const whole = Math.floor(data.byteLength / width) * width
  const from = new DataView(data.buffer, data.byteOffset, whole)
  const to = new DataView(out.buffer, out.byteOffset, whole)
  if (width === 2) {
    for (let at = 0; at < whole; at += 2) to.setUint16(at, from.getUint16(at, true), false)
  } else if (width === 4) {
    for (let at = 0; at < whole; at += 4) to.setUint32(at, from.getUint32(at, true), false)
  } else if (width === 8) {
    for (let at = 0; at < whole; at += 8) {
      const low = from.getUint32(at, true)
      to.setUint32(at, from.getUint32(at + 4, true), false)
      to.setUint32(at + 4, low, false)
    }
  } else out.set(data.subarray(0, whole))
  out.set(data.subarray(whole), whole)
}
