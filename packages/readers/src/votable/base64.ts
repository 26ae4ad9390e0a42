import { AstropackError } from '@astropack/codecs'

/** Value of each base64 character; -1 for whitespace (skipped), -2 for anything else. */
const VALUES = new Int8Array(128).fill(-2)
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) {
  VALUES[c.charCodeAt(0)] = i
}
for (const c of ' \t\r\n') VALUES[c.charCodeAt(0)] = -1
const PAD = '='.charCodeAt(0)

/**
 * Decodes base64 text given in pieces of any length: at most 3 characters (one incomplete quantum) wait
 * for the next piece. Whitespace anywhere is skipped; `=` padding ends the data. Anything else, or data
 * after the padding, is CORRUPT_CHUNK.
 */
export class Base64Decoder {
  /** The characters of the incomplete quantum, as 6-bit values, packed into one integer. */
  #quantum = 0
  #pending = 0
  #padded = false
  /** Characters seen, for messages. */
  #position = 0

  constructor(readonly where: () => string) {}

  /** The bytes of the complete quanta in `text` (and the pending characters before it). */
  decode(text: string): Uint8Array {
    const out = new Uint8Array(Math.floor(((this.#pending + text.length) * 3) / 4))
    let length = 0
    let quantum = this.#quantum
    let pending = this.#pending
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i)
      const value = code < 128 ? (VALUES[code] as number) : -2
      if (value >= 0 && !this.#padded) {
        quantum = (quantum << 6) | value
        if (++pending === 4) {
          out[length++] = quantum >>> 16
          out[length++] = (quantum >>> 8) & 0xff
          out[length++] = quantum & 0xff
          quantum = 0
          pending = 0
        }
      } else if (value === -1) {
        // whitespace: line breaks of the STREAM text
      } else if (code === PAD && pending >= 2) {
        length = this.#flushPartial(out, length, quantum, pending)
        quantum = 0
        pending = 0
        this.#padded = true
      } else if (code !== PAD || !this.#padded) {
        this.#fail(this.#position + i, code)
      }
    }
    this.#position += text.length
    this.#quantum = quantum
    this.#pending = pending
    return out.subarray(0, length)
  }

  /** The bytes of an unpadded last quantum; CORRUPT_CHUNK when a single character is left over. */
  finish(): Uint8Array {
    const out = new Uint8Array(2)
    if (this.#pending === 1) {
      throw new AstropackError(
        'CORRUPT_CHUNK',
        `VOTable ${this.where()}: the base64 STREAM ends with one character of a group of four`,
      )
    }
    const length = this.#pending === 0 ? 0 : this.#flushPartial(out, 0, this.#quantum, this.#pending)
    this.#pending = 0
    return out.subarray(0, length)
  }

  /** 2 characters make 1 byte, 3 make 2. */
  #flushPartial(out: Uint8Array, at: number, quantum: number, pending: number): number {
    const bits = quantum << (6 * (4 - pending))
    out[at++] = bits >>> 16
    if (pending === 3) out[at++] = (bits >>> 8) & 0xff
    return at
  }

  #fail(position: number, code: number): never {
    const what =
      code === PAD
        ? "'=' before the end of a group"
        : `character ${JSON.stringify(String.fromCharCode(code))}`
    throw new AstropackError(
      'CORRUPT_CHUNK',
      `VOTable ${this.where()}: ${this.#padded ? 'data after the base64 padding' : `${what} is not base64`} (STREAM character ${position})`,
    )
  }
}
