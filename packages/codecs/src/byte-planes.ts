/** Byte-plane transforms on 32-bit words: the fast paths of shuffle and [xor, shuffle] (see transforms.ts). */

/** Typed arrays use the platform's byte order; the word paths below assume little-endian (x86, ARM). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/**
 * Shuffle and unshuffle of 4- and 8-byte elements, 4 elements at a time as 32-bit words (a 4x4 byte
 * transpose in registers): about twice as fast as byte by byte here. Needs aligned arrays and a whole
 * number of 4-element groups, so that every byte plane starts on a word.
 */
export function wordsFit(data: Uint8Array, out: Uint8Array, n: number): boolean {
  return LITTLE_ENDIAN && n % 4 === 0 && data.byteOffset % 4 === 0 && out.byteOffset % 4 === 0
}

/** Writes the 4x4 byte transpose of words a, b, c, d to `to` at `at`, `at + step`, `at + 2 step`, `at + 3 step`. */
function transpose(
  a: number,
  b: number,
  c: number,
  d: number,
  to: Uint32Array,
  at: number,
  step: number,
): void {
  to[at] = (a & 0xff) | ((b & 0xff) << 8) | ((c & 0xff) << 16) | ((d & 0xff) << 24)
  to[at + step] = ((a >>> 8) & 0xff) | (b & 0xff00) | ((c & 0xff00) << 8) | ((d & 0xff00) << 16)
  to[at + 2 * step] = ((a >>> 16) & 0xff) | ((b >>> 8) & 0xff00) | (c & 0xff0000) | ((d & 0xff0000) << 8)
  to[at + 3 * step] = (a >>> 24) | ((b >>> 16) & 0xff00) | ((c >>> 8) & 0xff0000) | (d & 0xff000000)
}

export function shuffleWords(data: Uint8Array, width: 4 | 8, out: Uint8Array, n: number): void {
  const from = new Uint32Array(data.buffer, data.byteOffset, (n * width) / 4)
  const to = new Uint32Array(out.buffer, out.byteOffset, (n * width) / 4)
  const plane = n / 4 // words per byte plane
  if (width === 4) {
    for (let g = 0, w = 0; g < plane; g++, w += 4)
      transpose(from[w]!, from[w + 1]!, from[w + 2]!, from[w + 3]!, to, g, plane)
  } else {
    for (let g = 0, w = 0; g < plane; g++, w += 8) {
      transpose(from[w]!, from[w + 2]!, from[w + 4]!, from[w + 6]!, to, g, plane)
      transpose(from[w + 1]!, from[w + 3]!, from[w + 5]!, from[w + 7]!, to, 4 * plane + g, plane)
    }
  }
}

export function unshuffleWords(data: Uint8Array, width: 4 | 8, out: Uint8Array, n: number): void {
  const from = new Uint32Array(data.buffer, data.byteOffset, (n * width) / 4)
  const to = new Uint32Array(out.buffer, out.byteOffset, (n * width) / 4)
  const plane = n / 4
  if (width === 4) {
    for (let g = 0, w = 0; g < plane; g++, w += 4)
      transpose(from[g]!, from[plane + g]!, from[2 * plane + g]!, from[3 * plane + g]!, to, w, 1)
  } else {
    for (let g = 0, w = 0; g < plane; g++, w += 8) {
      transpose(from[g]!, from[plane + g]!, from[2 * plane + g]!, from[3 * plane + g]!, to, w, 2)
      transpose(
        from[4 * plane + g]!,
        from[5 * plane + g]!,
        from[6 * plane + g]!,
        from[7 * plane + g]!,
        to,
        w + 1,
        2,
      )
    }
  }
}

/**
 * The chain [xor, shuffle] in one pass over the data: XOR with the previous element, then byte planes
 * (decode: planes back to elements, then undo the XOR). Same bytes as the two steps one after the other.
 */
export function xorShuffleWords(
  data: Uint8Array,
  width: 4 | 8,
  out: Uint8Array,
  n: number,
  decode: boolean,
): void {
  const from = new Uint32Array(data.buffer, data.byteOffset, (n * width) / 4)
  const to = new Uint32Array(out.buffer, out.byteOffset, (n * width) / 4)
  const plane = n / 4
  if (width === 4) {
    let previous = 0
    for (let g = 0, w = 0; g < plane; g++, w += 4) {
      if (decode) {
        transpose(from[g]!, from[plane + g]!, from[2 * plane + g]!, from[3 * plane + g]!, to, w, 1)
        for (let e = w; e < w + 4; e++) {
          previous ^= to[e]!
          to[e] = previous
        }
      } else {
        const a = from[w]!
        const b = from[w + 1]!
        const c = from[w + 2]!
        const d = from[w + 3]!
        transpose(a ^ previous, b ^ a, c ^ b, d ^ c, to, g, plane)
        previous = d
      }
    }
    return
  }
  let low = 0
  let high = 0
  for (let g = 0, w = 0; g < plane; g++, w += 8) {
    if (decode) {
      transpose(from[g]!, from[plane + g]!, from[2 * plane + g]!, from[3 * plane + g]!, to, w, 2)
      transpose(
        from[4 * plane + g]!,
        from[5 * plane + g]!,
        from[6 * plane + g]!,
        from[7 * plane + g]!,
        to,
        w + 1,
        2,
      )
      for (let e = w; e < w + 8; e += 2) {
        low ^= to[e]!
        high ^= to[e + 1]!
        to[e] = low
        to[e + 1] = high
      }
    } else {
      const l0 = from[w]!
      const h0 = from[w + 1]!
      const l1 = from[w + 2]!
      const h1 = from[w + 3]!
      const l2 = from[w + 4]!
      const h2 = from[w + 5]!
      const l3 = from[w + 6]!
      const h3 = from[w + 7]!
      transpose(l0 ^ low, l1 ^ l0, l2 ^ l1, l3 ^ l2, to, g, plane)
      transpose(h0 ^ high, h1 ^ h0, h2 ^ h1, h3 ^ h2, to, 4 * plane + g, plane)
      low = l3
      high = h3
    }
  }
}
