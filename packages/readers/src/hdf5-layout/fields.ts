import { AstropackError, type ErrorCode } from '@astropack/codecs'
import type { ByteSource } from '../byte-source.js'

/** Builds a typed error whose message reads `HDF5 byte 1234: ...` (an absolute offset in the file). */
export function hdf5Error(code: ErrorCode, offset: number, text: string): AstropackError {
  return new AstropackError(code, `HDF5 byte ${offset}: ${text}`, { offset })
}

/** The largest metadata block (object header chunk, heap, B-tree node) read in one piece. */
/** Bytes that hold `n` (libhdf5's H5VM_limit_enc_size): floor(log2(n)) / 8 + 1. */
export const countBytes = (n: number) => Math.floor(Math.floor(Math.log2(Math.max(n, 1))) / 8) + 1
export const isPowerOfTwo = (n: number) => n > 0 && Number.isInteger(Math.log2(n))

export const MAX_BLOCK_BYTES = 16 * 1024 * 1024
/** All metadata read while locating datasets: bounds the work a file of many objects (or a crafted one) costs. */
export const MAX_METADATA_BYTES = 256 * 1024 * 1024

/**
 * Little-endian fields of one metadata block, read in order. Every read is checked against the block, so
 * a size or count taken from the file can never reach past what was read.
 */
export class Fields {
  at = 0

  constructor(
    readonly bytes: Uint8Array,
    /** Absolute offset of `bytes[0]` in the file, for error messages. */
    readonly fileOffset: number,
    readonly offsetSize: number,
    readonly lengthSize: number,
  ) {}

  get remaining(): number {
    return this.bytes.byteLength - this.at
  }

  /** Where the next field sits in the file. */
  get place(): number {
    return this.fileOffset + this.at
  }

  fail(code: ErrorCode, text: string): AstropackError {
    return hdf5Error(code, this.place, text)
  }

  take(length: number): Uint8Array {
    if (length < 0 || length > this.remaining)
      throw this.fail('CORRUPT_CHUNK', `a field of ${length} bytes runs past its block`)
    const out = this.bytes.subarray(this.at, this.at + length)
    this.at += length
    return out
  }

  /** The next `length` bytes as fields of their own (a message's data within its block). */
  sub(length: number): Fields {
    const place = this.place
    return new Fields(this.take(length), place, this.offsetSize, this.lengthSize)
  }

  skip(length: number): void {
    this.take(length)
  }

  /** An unsigned little-endian integer of `size` bytes (1 to 8). */
  uint(size: number): number {
    const place = this.place
    const bytes = this.take(size)
    let value = 0n
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!)
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw hdf5Error('LIMIT_EXCEEDED', place, `a ${size}-byte value ${value} is beyond 2^53`)
    return Number(value)
  }

  u8(): number {
    return this.take(1)[0]!
  }

  u16(): number {
    return this.uint(2)
  }

  u32(): number {
    return this.uint(4)
  }

  /** A file address (relative to the base address), or undefined for the undefined address. */
  address(): number | undefined {
    const field = this.bytes.subarray(this.at, this.at + this.offsetSize)
    if (field.byteLength === this.offsetSize && field.every((byte) => byte === 0xff)) {
      this.at += this.offsetSize
      return undefined
    }
    return this.uint(this.offsetSize)
  }

  length(): number {
    return this.uint(this.lengthSize)
  }

  /** A name up to a NUL (or the end of the block), as UTF-8 (ASCII or UTF-8 in HDF5); the NUL is consumed. */
  cstring(): string {
    const end = this.bytes.indexOf(0, this.at)
    const stop = end === -1 ? this.bytes.byteLength : end
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, stop))
    this.at = Math.min(this.bytes.byteLength, stop + 1)
    return text
  }

  expectSignature(signature: string, what: string): void {
    const place = this.place
    if (latin1(this.take(signature.length)) !== signature)
      throw hdf5Error('BAD_MAGIC', place, `no ${signature} signature where the ${what} should start`)
  }
}

export function latin1(bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) text += String.fromCharCode(byte)
  return text
}

/**
 * The file as the locator reads it: addresses relative to the base address, each read bounds-checked
 * against the file size, block size and a total metadata budget.
 */
export class Hdf5File {
  private spent = 0

  constructor(
    readonly source: ByteSource,
    /** Absolute offset that file addresses are relative to (where libhdf5 found the superblock). */
    readonly base: number,
    readonly offsetSize: number,
    readonly lengthSize: number,
  ) {}

  get size(): number {
    return this.source.byteLength
  }

  /** Absolute offset of a file address, checked to leave `length` bytes inside the file. */
  absolute(address: number, length: number, what: string): number {
    const start = this.base + address
    if (start + length > this.size)
      throw hdf5Error(
        'TRUNCATED',
        start,
        `the ${what} (${length} bytes) runs past the end of the file (${this.size})`,
      )
    return start
  }

  async read(address: number, length: number, what: string): Promise<Fields> {
    if (length > MAX_BLOCK_BYTES)
      throw hdf5Error('LIMIT_EXCEEDED', this.base + address, `the ${what} claims ${length} bytes`)
    const start = this.absolute(address, length, what)
    this.spent += length
    if (this.spent > MAX_METADATA_BYTES)
      throw hdf5Error('LIMIT_EXCEEDED', start, `more than ${MAX_METADATA_BYTES} bytes of metadata read`)
    const bytes = await this.source.slice(start, start + length)
    if (bytes.byteLength !== length)
      throw hdf5Error('TRUNCATED', start, `the ${what} could not be read whole`)
    return new Fields(bytes, start, this.offsetSize, this.lengthSize)
  }
}
