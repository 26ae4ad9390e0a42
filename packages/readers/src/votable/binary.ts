import { AstropackError } from '@astropack/codecs'
import type { Data } from 'apache-arrow'
import { Base64Decoder } from './base64.js'
import { BinaryField } from './binary-fields.js'
import type { VotableField } from './model.js'

/** Limits on a binary table's variable-size cells, checked before any byte of such a cell is waited for. */
export interface BinaryLimits {
  /** The largest cell accepted, in bytes (LIMIT_EXCEEDED beyond). */
  maxCellBytes: number
  /** The most bytes the rest of the stream can hold (the source's size): a longer cell is CORRUPT_CHUNK. */
  maxStreamBytes: number
}

/**
 * Reads the rows of a BINARY or BINARY2 STREAM from its base64 text, given in pieces: bytes are decoded as
 * they come and each whole row is appended to the fields' builders; the bytes of a row cut by the end of a
 * piece wait for the next one. Memory holds that partial row (in a buffer grown by doubling) and the batch.
 * Values are big-endian; a BINARY2 row starts with one null flag per field, most significant bit first.
 */
export class BinaryRowReader {
  readonly fields: BinaryField[]
  rows = 0
  readonly #base64: Base64Decoder
  readonly #flagBytes: number
  /** Each field's cell start and element count in the row being read. */
  readonly #starts: number[]
  readonly #counts: number[]
  #pending = new Uint8Array(0)
  #pendingLength = 0

  constructor(
    fields: VotableField[],
    readonly binary2: boolean,
    readonly limits: BinaryLimits,
    readonly where: () => string,
  ) {
    this.fields = fields.map((field) => new BinaryField(field))
    this.#flagBytes = binary2 ? Math.ceil(fields.length / 8) : 0
    this.#starts = new Array(fields.length).fill(0)
    this.#counts = new Array(fields.length).fill(0)
    this.#base64 = new Base64Decoder(where)
  }

  /** Decodes a piece of STREAM text, calling `onRow` after each whole row is appended. */
  write(text: string, onRow: () => void): void {
    this.#consume(this.#base64.decode(text), onRow)
  }

  /** The STREAM closed: TRUNCATED if it ends inside a row. */
  end(onRow: () => void): void {
    this.#consume(this.#base64.finish(), onRow)
    if (this.#pendingLength > 0) {
      throw new AstropackError(
        'TRUNCATED',
        `VOTable ${this.where()}: the STREAM ends inside row ${this.rows + 1} (${this.#pendingLength} bytes of it)`,
      )
    }
  }

  /** The columns of the rows read since the last flush. */
  flush(): Data[] {
    return this.fields.map((field) => field.builder.flush())
  }

  #consume(bytes: Uint8Array, onRow: () => void): void {
    if (bytes.length === 0) return
    let data = bytes
    if (this.#pendingLength > 0) {
      this.#keep(bytes)
      data = this.#pending.subarray(0, this.#pendingLength)
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    let offset = 0
    for (;;) {
      const end = this.#measure(view, offset)
      if (end < 0) break
      if (end === offset) {
        throw new AstropackError(
          'CORRUPT_CHUNK',
          `VOTable ${this.where()}: rows of zero bytes hold STREAM data`,
        )
      }
      this.#decode(view, offset)
      this.rows++
      onRow()
      offset = end
    }
    const rest = data.subarray(offset)
    this.#pendingLength = 0
    // The rest may lie in #pending itself: copyWithin keeps it whole.
    if (rest.length > 0) this.#keep(rest)
  }

  /** Appends bytes to the partial row, growing its buffer by doubling (linear time for rows of any size). */
  #keep(bytes: Uint8Array): void {
    const need = this.#pendingLength + bytes.length
    if (bytes.buffer === this.#pending.buffer) {
      const from = bytes.byteOffset - this.#pending.byteOffset
      this.#pending.copyWithin(0, from, from + bytes.length)
      this.#pendingLength = bytes.length
      return
    }
    if (need > this.#pending.length) {
      const grown = new Uint8Array(Math.max(need, this.#pending.length * 2, 1024))
      grown.set(this.#pending.subarray(0, this.#pendingLength))
      this.#pending = grown
    }
    this.#pending.set(bytes, this.#pendingLength)
    this.#pendingLength = need
  }

  /** Where the row starting at `start` ends, or -1 when its bytes have not all arrived. */
  #measure(view: DataView, start: number): number {
    let offset = start + this.#flagBytes
    const length = view.byteLength
    const fields = this.fields
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!
      let elements = field.elements
      let bytes: number
      if (field.variable) {
        if (offset + 4 > length) return -1
        const count = view.getUint32(offset)
        offset += 4
        elements = count * field.elements
        bytes = field.bytesFor(elements)
        this.#check(field, count, bytes)
      } else bytes = field.bytesFor(elements)
      this.#starts[i] = offset
      this.#counts[i] = elements
      offset += bytes
      if (offset > length) return -1
    }
    return offset
  }

  #check(field: BinaryField, count: number, bytes: number): void {
    const what = `row ${this.rows + 1}, field '${field.field.name}': a count of ${count}`
    if (bytes > this.limits.maxCellBytes) {
      throw new AstropackError(
        'LIMIT_EXCEEDED',
        `VOTable ${this.where()}, ${what} needs ${bytes} bytes, more than the ${this.limits.maxCellBytes} accepted`,
      )
    }
    if (bytes > this.limits.maxStreamBytes) {
      throw new AstropackError(
        'CORRUPT_CHUNK',
        `VOTable ${this.where()}, ${what} needs ${bytes} bytes, more than the whole file holds`,
      )
    }
  }

  #decode(view: DataView, start: number): void {
    const fields = this.fields
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!
      const isNull = this.binary2 && (view.getUint8(start + (i >> 3)) & (0x80 >> (i & 7))) !== 0
      const problem = field.append(view, this.#starts[i] as number, this.#counts[i] as number, isNull)
      if (problem !== undefined) {
        throw new AstropackError(
          'CORRUPT_CHUNK',
          `VOTable ${this.where()}, row ${this.rows + 1}, field '${field.field.name}': ${problem}`,
        )
      }
    }
  }
}
