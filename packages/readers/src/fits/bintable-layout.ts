import { type ColumnMeta, readColumnMeta } from './column-meta.js'
import { fitsError } from './errors.js'
import { headerString, optionalCount, requireCount } from './header.js'
import type { FitsHdu } from './scan.js'
import { type BinaryForm, type ElementType, parseBinaryForm, parseTdim } from './tform.js'

/** Integer types that FITS stores as another type plus a TZERO offset (FITS 4.0 Table 19). */
export type IntegerConvention = 'int8' | 'uint16' | 'uint32' | 'uint64'

export interface BinaryColumn extends ColumnMeta {
  form: BinaryForm
  /** Byte offset of the field within a row. */
  offset: number
  /** Bytes the field takes in a row. */
  width: number
  /** TDIMn lengths, fastest-varying first. */
  dims: number[] | undefined
  /** Set when TZERO (with TSCAL 1) marks a signed-byte or unsigned-integer column. */
  convention: IntegerConvention | undefined
}

export interface BinaryTableLayout {
  type: 'BINTABLE'
  hdu: number
  /** NAXIS1: bytes per row. */
  rowBytes: number
  /** NAXIS2: number of rows. */
  rowCount: number
  /** File offset of the first row. */
  dataStart: number
  columns: BinaryColumn[]
  /** File offsets of the heap (THEAP from the data start) and its end (data end). */
  heapStart: number
  heapEnd: number
}

const MAX_FIELDS = 999

/** Reads TFIELDS and the column keywords of a BINTABLE HDU and places each field in the row. */
export function binaryTableLayout(hdu: FitsHdu): BinaryTableLayout {
  const { header, index } = hdu
  if (hdu.type !== 'BINTABLE')
    throw fitsError('USAGE', { hdu: index, offset: hdu.headerStart }, `is ${hdu.type}, not BINTABLE`)
  if (hdu.axes.length !== 2 || hdu.bitpix !== 8 || hdu.gcount !== 1) {
    const text = `binary table needs BITPIX 8, NAXIS 2, GCOUNT 1; found ${hdu.bitpix}, ${hdu.axes.length}, ${hdu.gcount}`
    throw fitsError('CORRUPT_CHUNK', { hdu: index, keyword: 'NAXIS', offset: hdu.headerStart }, text)
  }
  const [rowBytes, rowCount] = hdu.axes as [number, number]
  const fieldCount = requireCount(header, 'TFIELDS', index, MAX_FIELDS)
  const columns: BinaryColumn[] = []
  let offset = 0
  for (let n = 1; n <= fieldCount; n++) {
    const card = header.byKeyword.get(`TFORM${n}`)
    const place = { hdu: index, keyword: `TFORM${n}`, offset: card?.offset ?? hdu.headerStart }
    if (typeof card?.value !== 'string') throw fitsError('CORRUPT_CHUNK', place, 'missing or not a string')
    const form = parseBinaryForm(card.value, place)
    const meta = readColumnMeta(header, n)
    const dims = parseTdim(headerString(header, `TDIM${n}`))
    columns.push({
      ...meta,
      form,
      offset,
      width: form.width,
      dims,
      convention: integerConvention(form.element, meta),
    })
    offset += form.width
  }
  if (offset > rowBytes) {
    const place = { hdu: index, keyword: 'NAXIS1', offset: header.byKeyword.get('NAXIS1')!.offset }
    throw fitsError('CORRUPT_CHUNK', place, `columns need ${offset} bytes per row but NAXIS1 is ${rowBytes}`)
  }
  const tableBytes = rowBytes * rowCount
  const heapOffset = optionalCount(header, 'THEAP', index, Number.MAX_SAFE_INTEGER, tableBytes)
  if (heapOffset < tableBytes || heapOffset > tableBytes + hdu.pcount) {
    const place = {
      hdu: index,
      keyword: 'THEAP',
      offset: header.byKeyword.get('THEAP')?.offset ?? hdu.headerStart,
    }
    throw fitsError(
      'CORRUPT_CHUNK',
      place,
      `heap offset ${heapOffset} lies outside ${tableBytes}..${tableBytes + hdu.pcount}`,
    )
  }
  return {
    type: 'BINTABLE',
    hdu: index,
    rowBytes,
    rowCount,
    dataStart: hdu.dataStart,
    columns,
    heapStart: hdu.dataStart + heapOffset,
    heapEnd: hdu.dataEnd,
  }
}

const TWO_POW_63 = 2n ** 63n

function integerConvention(element: ElementType, meta: ColumnMeta): IntegerConvention | undefined {
  if (meta.scale !== 1) return undefined
  const zero = meta.zero
  if (element === 'B' && zero === -128) return 'int8'
  if (element === 'I' && zero === 32768) return 'uint16'
  if (element === 'J' && zero === 2147483648) return 'uint32'
  if (element === 'K' && (zero === TWO_POW_63 || zero === 2 ** 63)) return 'uint64'
  return undefined
}
