import {
  Bool,
  type DataType,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  List,
  Schema,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
} from 'apache-arrow'
import { type AsciiColumn, asciiIntegerBits } from './ascii-table.js'
import { stringWidth } from './bintable-decode.js'
import type { BinaryColumn } from './bintable-layout.js'
import { isScaled } from './column-meta.js'
import type { TableColumn, TableLayout } from './read-table.js'
import type { ElementType } from './tform.js'

/**
 * The Arrow schema of the chosen columns. Types follow the stored FITS types; with `scale`, TZERO
 * conventions give Int8/Uint16/Uint32/Uint64 and any other TSCAL/TZERO gives Float64.
 * Vectors (repeat > 1) are FixedSizeList, P/Q arrays List, complex values FixedSizeList<float, 2>.
 */
export function fitsArrowSchema(
  layout: TableLayout,
  columns: readonly TableColumn[],
  scale: boolean,
  extname?: string,
): Schema {
  const metadata = new Map([['fits.hdu', String(layout.hdu)]])
  if (extname !== undefined) metadata.set('fits.extname', extname)
  return new Schema(
    columns.map((column) => arrowField(column, scale)),
    metadata,
  )
}

export function arrowField(column: TableColumn, scale: boolean): Field {
  const type = 'dims' in column ? binaryColumnType(column, scale) : asciiColumnType(column, scale)
  return new Field(column.name, type, mayBeNull(column), fieldMetadata(column, scale))
}

function binaryColumnType(column: BinaryColumn, scale: boolean): DataType {
  const { form } = column
  const element = elementType(form.element, column, scale)
  const nullable = mayBeNull(column)
  if (form.type === 'P' || form.type === 'Q') {
    return form.element === 'A' ? element : new List(new Field('item', element, nullable))
  }
  if (form.element === 'A') {
    const width = stringWidth(column)
    return width === form.repeat
      ? element
      : new FixedSizeList(Math.floor(form.repeat / width), new Field('item', element))
  }
  return form.repeat === 1 ? element : new FixedSizeList(form.repeat, new Field('item', element, nullable))
}

function elementType(element: ElementType, column: BinaryColumn, scale: boolean): DataType {
  const convention = scale ? column.convention : undefined
  // Any other TSCAL/TZERO makes Float64 values, as astropy does.
  const toFloat = scale && convention === undefined && isScaled(column)
  switch (element) {
    case 'L':
    case 'X':
      return new Bool()
    case 'A':
      return new Utf8()
    case 'C':
    case 'M':
      return new FixedSizeList(
        2,
        new Field('item', toFloat || element === 'M' ? new Float64() : new Float32(), false),
      )
  }
  if (toFloat) return new Float64()
  if (element === 'E') return new Float32()
  if (element === 'D') return new Float64()
  switch (element) {
    case 'B':
      return convention === 'int8' ? new Int8() : new Uint8()
    case 'I':
      return convention === 'uint16' ? new Uint16() : new Int16()
    case 'J':
      return convention === 'uint32' ? new Uint32() : new Int32()
    case 'K':
      return convention === 'uint64' ? new Uint64() : new Int64()
  }
}

function asciiColumnType(column: AsciiColumn, scale: boolean): DataType {
  const { type, width } = column.form
  if (type === 'A') return new Utf8()
  if (type !== 'I' || (scale && isScaled(column))) return new Float64()
  const bits = asciiIntegerBits(width)
  return bits === 64 ? new Int64() : bits === 32 ? new Int32() : new Int16()
}

/** Nulls come from TNULL, logical zero bytes and unreadable ASCII numbers. */
function mayBeNull(column: TableColumn): boolean {
  if ('dims' in column)
    return column.form.element === 'L' || (column.null !== undefined && 'BIJK'.includes(column.form.element))
  return column.form.type !== 'A'
}

function fieldMetadata(column: TableColumn, scale: boolean): Map<string, string> {
  const metadata = new Map<string, string>()
  const put = (key: string, value: string | number | bigint | undefined) => {
    if (value !== undefined) metadata.set(key, String(value))
  }
  put('unit', column.unit)
  put('ucd', column.ucd)
  put('description', column.description)
  put('fits.tform', column.form.raw.trim())
  put('fits.tdisp', column.display)
  if ('dims' in column && column.dims !== undefined) put('fits.tdim', `(${column.dims.join(',')})`)
  if (column.null !== undefined) put('fits.tnull', column.null)
  if (!scale && isScaled(column)) {
    put('fits.tscal', column.scale)
    put('fits.tzero', column.zero)
  }
  if ('dims' in column && (column.form.element === 'C' || column.form.element === 'M'))
    put('fits.complex', 'real,imag')
  return metadata
}
