import type { ByteSource } from '../byte-source.js'
import { flipSignBit, gatherSwapped } from './big-endian.js'
import type { NumericArray } from './decode-elements.js'
import { fitsError } from './errors.js'
import { headerNumber, headerValue } from './header.js'
import type { FitsHdu } from './scan.js'

/** What a primary or IMAGE header says about its array. */
export interface FitsImageInfo {
  hdu: number
  bitpix: number
  /** NAXIS1, NAXIS2, ...: NAXIS1 varies fastest in the data. */
  shape: number[]
  /** Number of pixels: the product of the shape (0 without axes). */
  pixelCount: number
  /** BZERO (default 0) and BSCALE (default 1): physical = BZERO + BSCALE * stored. */
  bzero: number | bigint
  bscale: number
  /** BLANK: the stored integer that marks an undefined pixel. */
  blank: number | bigint | undefined
  /** Set when BZERO with BSCALE 1 marks a signed-byte or unsigned-integer image. */
  convention: 'int8' | 'uint16' | 'uint32' | 'uint64' | undefined
}

export function imageInfo(hdu: FitsHdu): FitsImageInfo {
  if (hdu.type !== 'primary' && hdu.type !== 'IMAGE') {
    throw fitsError('USAGE', { hdu: hdu.index, offset: hdu.headerStart }, `is ${hdu.type}, not an image`)
  }
  if (hdu.randomGroups) {
    throw fitsError(
      'UNSUPPORTED_FEATURE',
      { hdu: hdu.index, keyword: 'GROUPS', offset: hdu.headerStart },
      'random groups',
    )
  }
  const bzeroValue = headerValue(hdu.header, 'BZERO')
  const bzero = typeof bzeroValue === 'bigint' || typeof bzeroValue === 'number' ? bzeroValue : 0
  const bscale = headerNumber(hdu.header, 'BSCALE') ?? 1
  const blankValue = headerValue(hdu.header, 'BLANK')
  const blank =
    hdu.bitpix > 0 && (typeof blankValue === 'number' || typeof blankValue === 'bigint')
      ? blankValue
      : undefined
  const pixelCount = hdu.axes.length === 0 ? 0 : hdu.axes.reduce((a, b) => a * b, 1)
  return {
    hdu: hdu.index,
    bitpix: hdu.bitpix,
    shape: [...hdu.axes],
    pixelCount,
    bzero,
    bscale,
    blank,
    convention: convention(hdu.bitpix, bzero, bscale),
  }
}

function convention(bitpix: number, bzero: number | bigint, bscale: number): FitsImageInfo['convention'] {
  if (bscale !== 1) return undefined
  if (bitpix === 8 && bzero === -128) return 'int8'
  if (bitpix === 16 && bzero === 32768) return 'uint16'
  if (bitpix === 32 && bzero === 2147483648) return 'uint32'
  if (bitpix === 64 && (bzero === 2n ** 63n || bzero === 2 ** 63)) return 'uint64'
  return undefined
}

export interface ReadImageOptions {
  /** Apply BZERO/BSCALE (default false: stored values, with the numbers in `info`). */
  scale?: boolean
  /** First pixel to read, in file order (default 0). */
  start?: number
  /** Pixels to read (default: to the end). */
  count?: number
}

export interface FitsImage {
  info: FitsImageInfo
  /** Pixels in file order (NAXIS1 fastest). */
  data: NumericArray
  /** BZERO/BSCALE were applied. */
  scaled: boolean
}

/** Reads pixels of an image HDU. Refuses data cut off by the end of the file (TRUNCATED). */
export async function readImage(
  source: ByteSource,
  hdu: FitsHdu,
  options: ReadImageOptions = {},
): Promise<FitsImage> {
  const info = imageInfo(hdu)
  const start = options.start ?? 0
  const count = options.count ?? info.pixelCount - start
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(count) ||
    start < 0 ||
    count < 0 ||
    start + count > info.pixelCount
  ) {
    throw fitsError(
      'USAGE',
      { hdu: hdu.index, offset: hdu.dataStart },
      `pixels ${start}+${count} outside 0..${info.pixelCount}`,
    )
  }
  const size = Math.abs(info.bitpix) / 8
  const from = hdu.dataStart + start * size
  const to = from + count * size
  if (to > source.byteLength) {
    throw fitsError(
      'TRUNCATED',
      { hdu: hdu.index, offset: source.byteLength },
      `image data needs bytes up to ${to}`,
    )
  }
  const bytes = await source.slice(from, to)
  if (bytes.length < to - from)
    throw fitsError('TRUNCATED', { hdu: hdu.index, offset: from + bytes.length }, 'short read')
  return decodeImage(bytes, info, options.scale ?? false)
}

/** Decodes big-endian pixels; with `scale`, unsigned conventions give unsigned arrays, others Float32/Float64. */
export function decodeImage(bytes: Uint8Array, info: FitsImageInfo, scale: boolean): FitsImage {
  const size = Math.abs(info.bitpix) / 8
  const count = Math.floor(bytes.length / size)
  const stored = storedArray(info.bitpix, count)
  const raw = new Uint8Array(stored.buffer)
  gatherSwapped(bytes, 0, count * size, 1, count * size, size, raw)
  const identity = info.bscale === 1 && Number(info.bzero) === 0
  if (!scale || identity) return { info, data: stored, scaled: false }
  if (info.convention !== undefined) {
    flipSignBit(raw, size)
    return { info, data: unsignedView(stored.buffer, info.convention), scaled: true }
  }
  // Like astropy: 8- and 16-bit and float32 data scale to Float32, wider data to Float64.
  const out =
    Math.abs(info.bitpix) <= 16 || info.bitpix === -32 ? new Float32Array(count) : new Float64Array(count)
  const zero = Number(info.bzero)
  // Compared as stored numbers: BLANK is an integer of the stored type.
  const blank =
    info.blank === undefined
      ? undefined
      : stored instanceof BigInt64Array
        ? BigInt(info.blank)
        : Number(info.blank)
  for (let i = 0; i < count; i++) {
    const value = stored[i]!
    out[i] = value === blank ? Number.NaN : Number(value) * info.bscale + zero
  }
  return { info, data: out, scaled: true }
}

function storedArray(bitpix: number, count: number): NumericArray {
  switch (bitpix) {
    case 8:
      return new Uint8Array(count)
    case 16:
      return new Int16Array(count)
    case 32:
      return new Int32Array(count)
    case 64:
      return new BigInt64Array(count)
    case -32:
      return new Float32Array(count)
    default:
      return new Float64Array(count)
  }
}

function unsignedView(
  buffer: ArrayBufferLike,
  convention: NonNullable<FitsImageInfo['convention']>,
): NumericArray {
  if (convention === 'int8') return new Int8Array(buffer)
  if (convention === 'uint16') return new Uint16Array(buffer)
  if (convention === 'uint32') return new Uint32Array(buffer)
  return new BigUint64Array(buffer)
}
