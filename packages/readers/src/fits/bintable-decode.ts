import type { BinaryColumn, BinaryTableLayout } from './bintable-layout.js'
import { expandBits } from './bits.js'
import type { FieldData } from './column-data.js'
import { decodeElements, type ElementSpec } from './decode-elements.js'
import { fitsError } from './errors.js'
import { decodeHeapField, type HeapSpan, readDescriptors } from './heap.js'
import { gatherStrings } from './strings.js'

/**
 * Decodes one column from `rowCount` consecutive rows held in `rows` (row 0 at byte 0, NAXIS1 bytes each).
 * `firstRow` is the table row number of rows[0], for error messages. P/Q columns need `heap`.
 */
export function decodeBinaryField(
  rows: Uint8Array,
  rowCount: number,
  layout: BinaryTableLayout,
  column: BinaryColumn,
  options: { scale: boolean; firstRow?: number; heap?: HeapSpan },
): FieldData {
  const { form } = column
  const stride = layout.rowBytes
  if (form.type === 'P' || form.type === 'Q') {
    const descriptors = readDescriptors(rows, rowCount, layout, column, options.firstRow ?? 0)
    if (options.heap === undefined) {
      throw fitsError(
        'USAGE',
        { hdu: layout.hdu, offset: layout.heapStart },
        `column ${column.name} needs its heap`,
      )
    }
    return decodeHeapField(descriptors, options.heap, layout, column, options.scale)
  }
  const empty = { nulls: undefined, offsets: undefined, scaled: false, rowCount }
  if (form.type === 'A') {
    const width = stringWidth(column)
    const perRow = width === form.repeat ? 1 : Math.floor(form.repeat / width)
    return {
      ...empty,
      kind: 'string',
      perRow,
      values: gatherStrings(rows, column.offset, stride, rowCount, width, perRow),
    }
  }
  if (form.type === 'X') {
    return {
      ...empty,
      kind: 'bits',
      perRow: form.repeat,
      values: expandBits(rows, column.offset, stride, rowCount, form.repeat),
    }
  }
  const spec: ElementSpec = { element: form.type, convention: column.convention, meta: column }
  const decoded = decodeElements(rows, column.offset, stride, rowCount, form.repeat, spec, options.scale)
  const perRow = decoded.kind === 'complex' ? form.repeat * 2 : form.repeat
  return { ...decoded, rowCount, perRow, offsets: undefined }
}

/** Width of one string in an `rA` field: TDIM's first length when TDIM splits the field, else r. */
export function stringWidth(column: BinaryColumn): number {
  const dims = column.dims
  const first = dims?.[0]
  if (dims === undefined || dims.length < 2 || first === undefined || first === 0) return column.form.repeat
  return Math.min(first, column.form.repeat)
}
