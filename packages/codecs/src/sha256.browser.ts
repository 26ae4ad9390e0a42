import type { Sha256 } from './sha256.js'

/**
 * Incremental SHA-256 (FIPS 180-4) in TypeScript for the browser build: WebCrypto's digest is one-shot and
 * async, and node:crypto is not there.
 */
// biome-ignore format: one row per line of the standard's table
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])
const INITIAL = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n))

export function createSha256(): Sha256 {
  const h = new Int32Array(INITIAL)
  const w = new Int32Array(64)
  const pending = new Uint8Array(64)
  let buffered = 0
  let total = 0
  let finished = false

  function compress(block: Uint8Array, at: number): void {
    for (let i = 0; i < 16; i++, at += 4) {
      w[i] = (block[at]! << 24) | (block[at + 1]! << 16) | (block[at + 2]! << 8) | block[at + 3]!
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!
      const b = w[i - 2]!
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10)
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0
    }
    let a = h[0]!
    let b = h[1]!
    let c = h[2]!
    let d = h[3]!
    let e = h[4]!
    let f = h[5]!
    let g = h[6]!
    let hh = h[7]!
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0
      hh = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h[0]! += a
    h[1]! += b
    h[2]! += c
    h[3]! += d
    h[4]! += e
    h[5]! += f
    h[6]! += g
    h[7]! += hh
  }

  function update(data: Uint8Array): void {
    if (finished) throw new Error('sha256: digest already taken')
    total += data.byteLength
    let i = 0
    if (buffered > 0) {
      i = Math.min(64 - buffered, data.byteLength)
      pending.set(data.subarray(0, i), buffered)
      buffered += i
      if (buffered < 64) return
      compress(pending, 0)
      buffered = 0
    }
    for (; i + 64 <= data.byteLength; i += 64) compress(data, i)
    pending.set(data.subarray(i), 0)
    buffered = data.byteLength - i
  }

  function digestHex(): string {
    if (finished) throw new Error('sha256: digest already taken')
    const bits = total * 8
    const tail = new Uint8Array(buffered < 56 ? 64 : 128)
    tail.set(pending.subarray(0, buffered))
    tail[buffered] = 0x80
    const view = new DataView(tail.buffer)
    view.setUint32(tail.byteLength - 8, Math.floor(bits / 2 ** 32))
    view.setUint32(tail.byteLength - 4, bits >>> 0)
    for (let at = 0; at < tail.byteLength; at += 64) compress(tail, at)
    finished = true
    let hex = ''
    for (const word of h) hex += (word >>> 0).toString(16).padStart(8, '0')
    return hex
  }

  return { update, digestHex }
}
