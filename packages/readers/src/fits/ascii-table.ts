import type { FieldData } from './column-data.js'
import { type ColumnMeta, isScaled, readColumnMeta } from './column-meta.js'
import { fitsError } from './errors.js'
import { requireCount } from './header.js'
import type { FitsHdu } from './scan.js'
import { gatherStrings } from './strings.js'
import { type AsciiForm, parseAsciiForm } from './tform.js'

export interface AsciiColumn extends ColumnMeta {
  form: AsciiForm
  /** Byte offset of the field within a row (TBCOLn - 1). */
  offset: number
  width: number
}

export interface AsciiTableLayout {
  type: 'TABLE'
  hdu: number
  rowBytes: number
  rowCount: number
  dataStart: number
  columns: AsciiColumn[]
}

/** Reads TFIELDS, TBCOLn and TFORMn of an ASCII TABLE HDU and checks every field lies inside the row. */
export function asciiTableLayout(hdu: FitsHdu): AsciiTableLayout {
  const { header, index } = hdu
  if (hdu.type !== 'TABLE')
    throw fitsError('USAGE', { hdu: index, offset: hdu.headerStart }, `is ${hdu.type}, not TABLE`)
  if (hdu.axes.length !== 2 || hdu.bitpix !== 8) {
    const place = { hdu: index, keyword: 'NAXIS', offset: hdu.headerStart }
    throw fitsError('CORRUPT_CHUNK', place, 'ASCII table needs BITPIX 8 and NAXIS 2')
  }
  const [rowBytes, rowCount] = hdu.axes as [number, number]
  const fieldCount = requireCount(header, 'TFIELDS', index, 999)
  const columns: AsciiColumn[] = []
  for (let n = 1; n <= fieldCount; n++) {
    const formCard = header.byKeyword.get(`TFORM${n}`)
    const formPlace = { hdu: index, keyword: `TFORM${n}`, offset: formCard?.offset ?? hdu.headerStart }
    if (typeof formCard?.value !== 'string')
      throw fitsError('CORRUPT_CHUNK', formPlace, 'missing or not a string')
    const form = parseAsciiForm(formCard.value, formPlace)
    const start = requireCount(header, `TBCOL${n}`, index, rowBytes)
    if (start < 1 || start - 1 + form.width > rowBytes) {
      const place = { hdu: index, keyword: `TBCOL${n}`, offset: header.byKeyword.get(`TBCOL${n}`)!.offset }
      throw fitsError(
        'CORRUPT_CHUNK',
        place,
        `field of ${form.width} bytes at column ${start} lies outside NAXIS1 ${rowBytes}`,
      )
    }
    columns.push({ ...readColumnMeta(header, n), form, offset: start - 1, width: form.width })
  }
  return { type: 'TABLE', hdu: index, rowBytes, rowCount, dataStart: hdu.dataStart, columns }
}

/**
 * Decodes one ASCII-table field of `rowCount` rows. Aw gives strings; Iw gives Int16 (w < 5), Int32 (w < 10)
 * or BigInt64;
 * F/E/D give Float64. A field equal to TNULLn, or one that is not a number (e.g. `*****` overflow), is null.
 * A blank numeric field is 0, as the standard says, unless TNULLn is blank.
 */
export function decodeAsciiField(
  rows: Uint8Array,
  rowCount: number,
  layout: AsciiTableLayout,
  column: AsciiColumn,
  scale: boolean,
): FieldData {
  const stride = layout.rowBytes
  const base = { rowCount, perRow: 1, offsets: undefined }
  if (column.form.type === 'A') {
    return {
      ...base,
      kind: 'string',
      values: gatherStrings(rows, column.offset, stride, rowCount, column.width, 1),
      nulls: undefined,
      scaled: false,
    }
  }
  const nullText = typeof column.null === 'string' ? column.null.trim() : undefined
  const integers = column.form.type === 'I' ? asciiIntegerBits(column.width) : 0
  const values =
    integers === 0
      ? new Float64Array(rowCount)
      : integers === 64
        ? new BigInt64Array(rowCount)
        : integers === 32
          ? new Int32Array(rowCount)
          : new Int16Array(rowCount)
  const wide = integers === 64
  let nulls: Uint8Array | undefined
  for (let r = 0, p = column.offset; r < rowCount; r++, p += stride) {
    const text = fieldText(rows, p, column.width)
    const value =
      text === nullText
        ? undefined
        : column.form.type === 'I'
          ? parseInteger(text, wide)
          : parseReal(text, column.form.decimals)
    if (value === undefined) {
      nulls ??= new Uint8Array(rowCount)
      nulls[r] = 1
      if (values instanceof Float64Array) values[r] = Number.NaN
    } else if (values instanceof BigInt64Array) {
      values[r] = value as bigint
    } else {
      values[r] = value as number
    }
  }
  if (!scale || !isScaled(column))
    return {
      ...base,
      kind: values instanceof Float64Array ? 'float' : 'integer',
      values,
      nulls,
      scaled: false,
    }
  const out =
    values instanceof Float64Array ? values : Float64Array.from(values as ArrayLike<number | bigint>, Number)
  const zero = Number(column.zero)
  for (let r = 0; r < rowCount; r++) out[r] = nulls?.[r] ? Number.NaN : out[r]! * column.scale + zero
  return { ...base, kind: 'float', values: out, nulls, scaled: true }
}

function fieldText(rows: Uint8Array, start: number, width: number): string {
  let end = start + width
  let begin = start
  while (begin < end && rows[begin] === 32) begin++
  while (end > begin && rows[end - 1] === 32) end--
  let text = ''
  for (let i = begin; i < end; i++) text += String.fromCharCode(rows[i]!)
  return text
}

const INTEGER = /^[+-]?\d+$/

/** Integer width for an Iw field, as astropy chooses it: w < 5 fits 16 bits, w < 10 fits 32 bits. */
export function asciiIntegerBits(width: number): 16 | 32 | 64 {
  return width < 5 ? 16 : width < 10 ? 32 : 64
}

function parseInteger(text: string, wide: boolean): number | bigint | undefined {
  if (text === '') return wide ? 0n : 0
  if (!INTEGER.test(text)) return undefined
  if (!wide) return Number(text)
  const value = BigInt(text)
  return value >= -(2n ** 63n) && value < 2n ** 63n ? value : undefined
}

// Mantissa, then an exponent with a letter (E, D) or, Fortran style, just a sign.
const REAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[EeDd]([+-]?\d+)|([+-]\d+))?$/

/** Fortran-style real: with no decimal point the last `decimals` digits are the fraction (FITS 4.0 §7.2.5). */
function parseReal(text: string, decimals: number): number | undefined {
  if (text === '') return 0
  const match = REAL.exec(text)
  if (!match) return undefined
  const [, sign, whole, fraction, exponent, bareExponent] = match
  if (whole === '' && (fraction === undefined || fraction === '')) return undefined
  const power = Number(exponent ?? bareExponent ?? 0)
  if (fraction !== undefined || decimals === 0) return Number(`${sign}${whole}.${fraction ?? ''}e${power}`)
  return Number(`${sign}${whole}e${power - decimals}`)
}
