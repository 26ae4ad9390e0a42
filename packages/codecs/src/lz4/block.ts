/**
 * LZ4 block format (lz4/doc/lz4_Block_format.md) in plain TypeScript, for the browser build where
 * lz4-napi's native addon cannot run. Greedy single-probe matching, as LZ4's fast mode does.
 */
const MIN_MATCH = 4
/** The last 5 bytes of a block are always literals, and no match may start in its last 12. */
const LAST_LITERALS = 5
const MF_LIMIT = 12
const MAX_OFFSET = 0xffff
/** Skip faster through data that does not match, as LZ4 does (1 more byte per 64 misses). */
const SKIP_SHIFT = 6

const read32 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)

/** Length fields of 15 or more continue in extra bytes: 255 while more follows, then the rest. */
function writeLength(out: Uint8Array, op: number, length: number): number {
  if (length < 15) return op
  let rest = length - 15
  for (; rest >= 255; rest -= 255) out[op++] = 255
  out[op++] = rest
  return op
}

function writeSequence(
  out: Uint8Array,
  op: number,
  literals: Uint8Array,
  offset: number,
  matchLength: number,
) {
  const extra = matchLength - MIN_MATCH
  out[op++] = (Math.min(literals.byteLength, 15) << 4) | (offset ? Math.min(extra, 15) : 0)
  op = writeLength(out, op, literals.byteLength)
  out.set(literals, op)
  op += literals.byteLength
  if (!offset) return op
  out[op++] = offset & 0xff
  out[op++] = offset >>> 8
  return writeLength(out, op, extra)
}

/** Compresses one independent block. Output is at most LZ4_compressBound(n) = n + n/255 + 16 bytes. */
export function compressBlock(src: Uint8Array): Uint8Array {
  const n = src.byteLength
  const out = new Uint8Array(n + Math.floor(n / 255) + 16)
  let op = 0
  let anchor = 0
  if (n > MF_LIMIT) {
    // Small inputs get a small table: zeroing 64K entries would dominate a 1 KiB block.
    const hashBits = Math.min(16, Math.max(8, 32 - Math.clz32(n)))
    const table = new Int32Array(1 << hashBits) // position + 1; 0 = empty
    const matchEnd = n - LAST_LITERALS
    const lastStart = n - MF_LIMIT
    let i = 0
    while (i < lastStart) {
      const seq = read32(src, i)
      const h = Math.imul(seq, 0x9e3779b1) >>> (32 - hashBits)
      const ref = table[h]! - 1
      table[h] = i + 1
      if (ref < 0 || i - ref > MAX_OFFSET || read32(src, ref) !== seq) {
        i += 1 + ((i - anchor) >> SKIP_SHIFT)
        continue
      }
      let start = i
      let from = ref
      while (start > anchor && from > 0 && src[start - 1] === src[from - 1]) {
        start--
        from--
      }
      let end = i + MIN_MATCH
      const offset = i - ref
      while (end < matchEnd && src[end] === src[end - offset]) end++
      op = writeSequence(out, op, src.subarray(anchor, start), offset, end - start)
      anchor = end
      i = end
    }
  }
  op = writeSequence(out, op, src.subarray(anchor, n), 0, 0)
  return out.slice(0, op)
}

function truncated(): Error {
  return new Error('truncated or malformed LZ4 block')
}

/** Decompresses one independent block; throws rather than produce more than `maxSize` bytes. */
export function decompressBlock(src: Uint8Array, maxSize: number): Uint8Array {
  const out = new Uint8Array(maxSize)
  const n = src.byteLength
  let ip = 0
  let op = 0
  for (;;) {
    if (ip >= n) throw truncated()
    const token = src[ip++]!
    let literals = token >>> 4
    if (literals === 15) {
      for (let b = 255; b === 255; literals += b) {
        if (ip >= n) throw truncated()
        b = src[ip++]!
      }
    }
    if (ip + literals > n) throw truncated()
    if (op + literals > maxSize) throw new Error(`LZ4 block decodes to more than ${maxSize} bytes`)
    out.set(src.subarray(ip, ip + literals), op)
    ip += literals
    op += literals
    if (ip === n) return out.subarray(0, op) // the last sequence has literals only
    if (ip + 2 > n) throw truncated()
    const offset = src[ip]! | (src[ip + 1]! << 8)
    ip += 2
    if (offset === 0 || offset > op) throw new Error(`LZ4 match offset ${offset} outside the block`)
    let length = token & 15
    if (length === 15) {
      for (let b = 255; b === 255; length += b) {
        if (ip >= n) throw truncated()
        b = src[ip++]!
      }
    }
    length += MIN_MATCH
    if (op + length > maxSize) throw new Error(`LZ4 block decodes to more than ${maxSize} bytes`)
    if (offset >= length && length > 32) {
      out.copyWithin(op, op - offset, op - offset + length)
      op += length
    } else {
      // Overlapping copies repeat the last `offset` bytes, so they go byte by byte.
      for (const stop = op + length; op < stop; op++) out[op] = out[op - offset]!
    }
  }
}
