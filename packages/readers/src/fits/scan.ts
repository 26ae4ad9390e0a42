import type { ByteSource } from '../byte-source.js'
import { fitsError } from './errors.js'
import {
  BLOCK_LENGTH,
  type FitsHeader,
  headerString,
  headerValue,
  optionalCount,
  readHeader,
  requireCount,
} from './header.js'

export type FitsHduType = 'primary' | 'IMAGE' | 'BINTABLE' | 'TABLE' | 'other'

/** One header-and-data unit as found by the scan; the data itself is not read. */
export interface FitsHdu {
  /** 0 for the primary HDU, then 1, 2, ... for extensions. */
  index: number
  type: FitsHduType
  /** XTENSION value as written (e.g. `BINTABLE`, `A3DTABLE`, `FOREIGN`); undefined for the primary HDU. */
  xtension: string | undefined
  extname: string | undefined
  header: FitsHeader
  headerStart: number
  /** End of the padded header, equal to dataStart. */
  headerEnd: number
  dataStart: number
  /** dataStart plus the data size the header declares (without the padding to 2880). */
  dataEnd: number
  /** End of the padded data: where the next HDU starts. */
  end: number
  bitpix: number
  /** NAXIS1, NAXIS2, ... (NAXIS1 varies fastest). */
  axes: number[]
  pcount: number
  gcount: number
  /** Primary HDU in the random-groups layout (GROUPS = T, NAXIS1 = 0). */
  randomGroups: boolean
  /** The declared data runs past the end of the source. */
  truncated: boolean
}

/** Bytes after the last HDU that do not start an extension (zero fill, junk): reported, not an error. */
export interface FitsTail {
  start: number
  end: number
}

export interface FitsScan {
  byteLength: number
  hdus: FitsHdu[]
  tail: FitsTail | undefined
  /** The last HDU's data (or header padding) is cut off by the end of the source. */
  truncated: boolean
}

export interface ScanOptions {
  /** Refuse a header longer than this (default 16 MiB). */
  maxHeaderBytes?: number
  /** Throw TRUNCATED instead of reporting a cut-off last HDU. */
  strict?: boolean
}

const BITPIX_VALUES = new Set([8, 16, 32, 64, -32, -64])
const MAX_NAXIS = 999
const DEFAULT_MAX_HEADER_BYTES = 16 * 1024 * 1024

/** Walks every HDU of a FITS file, reading headers only, and returns where each header and data lie. */
export async function scanFits(source: ByteSource, options: ScanOptions = {}): Promise<FitsScan> {
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES
  const first = await source.slice(0, Math.min(source.byteLength, 80))
  if (!startsWith(first, 'SIMPLE  =')) {
    throw fitsError('BAD_MAGIC', { hdu: 0, offset: 0 }, 'not a FITS file: it does not start with SIMPLE  =')
  }
  const hdus: FitsHdu[] = []
  let position = 0
  while (position < source.byteLength) {
    if (hdus.length > 0) {
      const peek = await source.slice(position, Math.min(source.byteLength, position + 10))
      if (!startsWith(peek, 'XTENSION= ')) break
    }
    const hdu = await readHdu(source, position, hdus.length, maxHeaderBytes)
    hdus.push(hdu)
    if (hdu.truncated) {
      if (options.strict) {
        throw fitsError('TRUNCATED', { hdu: hdu.index, offset: source.byteLength }, cutText(hdu))
      }
      return { byteLength: source.byteLength, hdus, tail: undefined, truncated: true }
    }
    position = hdu.end
  }
  const tail = position < source.byteLength ? { start: position, end: source.byteLength } : undefined
  return { byteLength: source.byteLength, hdus, tail, truncated: false }
}

function cutText(hdu: FitsHdu): string {
  return `data declared as bytes ${hdu.dataStart}..${hdu.dataEnd} runs past the end of the file`
}

async function readHdu(
  source: ByteSource,
  start: number,
  index: number,
  maxHeaderBytes: number,
): Promise<FitsHdu> {
  const header = await readHeader(source, start, { hdu: index, maxHeaderBytes })
  const firstCard = header.cards[0]!
  const primary = index === 0
  if (primary && typeof firstCard.value !== 'boolean') {
    throw fitsError('BAD_MAGIC', { hdu: 0, keyword: 'SIMPLE', offset: 0 }, 'SIMPLE is not T or F')
  }
  const xtension = primary ? undefined : headerString(header, 'XTENSION')?.trim()
  if (!primary && xtension === undefined) {
    throw fitsError(
      'CORRUPT_CHUNK',
      { hdu: index, keyword: 'XTENSION', offset: start },
      'XTENSION is not a string',
    )
  }
  const bitpix = readBitpix(header, index)
  const naxis = requireCount(header, 'NAXIS', index, MAX_NAXIS)
  const axes: number[] = []
  for (let axis = 1; axis <= naxis; axis++) {
    axes.push(requireCount(header, `NAXIS${axis}`, index, Number.MAX_SAFE_INTEGER))
  }
  const randomGroups = primary && headerValue(header, 'GROUPS') === true && axes[0] === 0
  const grouped = !primary || randomGroups
  const pcount = grouped ? optionalCount(header, 'PCOUNT', index, Number.MAX_SAFE_INTEGER, 0) : 0
  const gcount = grouped ? optionalCount(header, 'GCOUNT', index, Number.MAX_SAFE_INTEGER, 1) : 1
  const dataBytes = dataSize(bitpix, randomGroups ? axes.slice(1) : axes, pcount, gcount)
  if (dataBytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    const place = { hdu: index, keyword: 'NAXIS', offset: start }
    throw fitsError('LIMIT_EXCEEDED', place, `declared data size ${dataBytes} bytes is beyond any file`)
  }
  const dataStart = header.end
  const dataEnd = dataStart + Number(dataBytes)
  const end = dataStart + Math.ceil(Number(dataBytes) / BLOCK_LENGTH) * BLOCK_LENGTH
  return {
    index,
    type: hduType(xtension),
    xtension,
    extname: headerString(header, 'EXTNAME')?.trim(),
    header,
    headerStart: start,
    headerEnd: header.end,
    dataStart,
    dataEnd,
    end,
    bitpix,
    axes,
    pcount,
    gcount,
    randomGroups,
    truncated: dataEnd > source.byteLength || header.end > source.byteLength,
  }
}

function readBitpix(header: FitsHeader, hdu: number): number {
  const card = header.byKeyword.get('BITPIX')
  if (card === undefined)
    throw fitsError('CORRUPT_CHUNK', { hdu, keyword: 'BITPIX', offset: header.start }, 'missing')
  if (typeof card.value !== 'number' || !BITPIX_VALUES.has(card.value)) {
    throw fitsError(
      'CORRUPT_CHUNK',
      { hdu, keyword: 'BITPIX', offset: card.offset },
      `invalid value ${card.raw.slice(10, 30).trim()}`,
    )
  }
  return card.value
}

/** |BITPIX|/8 * GCOUNT * (PCOUNT + NAXIS1*...*NAXISn), in bigint so no product can overflow unseen. */
function dataSize(bitpix: number, axes: number[], pcount: number, gcount: number): bigint {
  let elements = axes.length === 0 ? 0n : 1n
  for (const length of axes) elements *= BigInt(length)
  return (BigInt(Math.abs(bitpix) / 8) * BigInt(gcount) * (BigInt(pcount) + elements)) as bigint
}

function hduType(xtension: string | undefined): FitsHduType {
  if (xtension === undefined) return 'primary'
  if (xtension === 'IMAGE') return 'IMAGE'
  if (xtension === 'BINTABLE' || xtension === 'A3DTABLE') return 'BINTABLE'
  if (xtension === 'TABLE') return 'TABLE'
  return 'other'
}

function startsWith(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false
  return true
}
