import { AstropackError } from '@astropack/codecs'
import type { ByteSink } from '@astropack/format'
import { type FitsValue, formatCards } from '@astropack/readers'
import {
  columnBytes,
  ELEMENT_BYTES,
  type FitsColumn,
  planColumn,
  surveyColumns,
  tdimOf,
  tformOf,
} from './fits-columns.js'
import { encodeHeap, encodeRows, type RowLayout } from './fits-rows.js'
import type { TableStream } from './table-stream.js'

/**
 * A FITS file: an empty primary HDU, then the table as one BINTABLE. The header goes first, so what
 * it states (NAXIS2, string widths, PCOUNT, a free TNULL) must be known before the first row: what the
 * schema and its `fits.*` metadata do not tell, one pass over the rows finds. Variable-length arrays
 * go to the heap after the rows, from one more pass. Memory holds a batch and one slice of rows.
 */

const BLOCK = 2880
/** Rows are encoded and written in slices of about this many bytes. */
const SLICE_BYTES = 1 << 20
/** TFORMn and friends have three digits. */
const MAX_FIELDS = 999

export async function writeFitsTable(stream: TableStream, sink: ByteSink): Promise<void> {
  const { schema } = stream
  if (schema.fields.length > MAX_FIELDS) {
    throw new AstropackError(
      'USAGE',
      `a FITS table holds at most ${MAX_FIELDS} columns; this one has ${schema.fields.length}`,
    )
  }
  const columns = schema.fields.map(planColumn)
  let rowCount = stream.rowCount ?? 0
  let batches = stream.batches
  let heapBytes = 0
  // A pass first for what the header must say: string widths, heap sizes, or the rows themselves.
  if (stream.rowCount === undefined || columns.some((column) => column.unknown)) {
    const { rows, surveys } = await surveyColumns(columns, batches)
    rowCount = rows
    columns.forEach((column, c) => {
      if (column.shape === 'list') heapBytes += surveys[c]!.heapItems * ELEMENT_BYTES[column.element.code]
    })
    batches = stream.reread()
  }
  const layout = rowLayout(columns, heapBytes < 2 ** 31 ? 'P' : 'Q')
  await sink.write(headerBytes(primaryHeader()))
  await sink.write(headerBytes(tableHeader(columns, layout, rowCount, heapBytes, extname(stream))))

  const heap = { end: 0 }
  let written = 0
  for await (const batch of batches) {
    await eachSlice(batch.numRows, layout.rowBytes, (from, to) =>
      sink.write(encodeRows(columns, batch.data.children, from, to, layout, heap)),
    )
    written += batch.numRows
  }
  if (written !== rowCount || heap.end !== heapBytes) {
    throw new AstropackError(
      'CORRUPT_CHUNK',
      `the table gave ${written} rows (${heap.end} heap bytes) on a second reading, ${rowCount} (${heapBytes}) on the first`,
    )
  }
  if (heapBytes > 0) {
    for await (const batch of stream.reread()) {
      await eachSlice(batch.numRows, layout.rowBytes, (from, to) =>
        sink.write(encodeHeap(columns, batch.data.children, from, to)),
      )
    }
  }
  const dataBytes = rowCount * layout.rowBytes + heapBytes
  const fill = (BLOCK - (dataBytes % BLOCK)) % BLOCK
  if (fill > 0) await sink.write(new Uint8Array(fill))
}

async function eachSlice(
  rows: number,
  rowBytes: number,
  write: (from: number, to: number) => Promise<void>,
): Promise<void> {
  const step = Math.max(1, Math.floor(SLICE_BYTES / Math.max(1, rowBytes)))
  for (let from = 0; from < rows; from += step) await write(from, Math.min(rows, from + step))
}

function rowLayout(columns: readonly FitsColumn[], descriptor: 'P' | 'Q'): RowLayout {
  const offsets: number[] = []
  let rowBytes = 0
  for (const column of columns) {
    offsets.push(rowBytes)
    rowBytes += columnBytes(column, descriptor)
  }
  return { rowBytes, offsets, descriptor }
}

/** The table's name as EXTNAME; none for an unnamed HDU (named `HDU n` in the manifest). */
function extname(stream: TableStream): string | undefined {
  const { table } = stream
  return table.hdu !== undefined && table.name === `HDU ${table.hdu}` ? undefined : table.name
}

function primaryHeader(): string[] {
  return [
    ...formatCards('SIMPLE', true, 'conforms to FITS standard'),
    ...formatCards('BITPIX', 8),
    ...formatCards('NAXIS', 0, 'no image: the table follows'),
    ...formatCards('EXTEND', true),
    'END'.padEnd(80),
  ]
}

function tableHeader(
  columns: readonly FitsColumn[],
  layout: RowLayout,
  rowCount: number,
  heapBytes: number,
  name: string | undefined,
): string[] {
  const cards = [
    ...formatCards('XTENSION', 'BINTABLE', 'binary table extension'),
    ...formatCards('BITPIX', 8),
    ...formatCards('NAXIS', 2),
    ...formatCards('NAXIS1', layout.rowBytes, 'bytes per row'),
    ...formatCards('NAXIS2', rowCount, 'rows'),
    ...formatCards('PCOUNT', heapBytes, 'heap bytes'),
    ...formatCards('GCOUNT', 1),
    ...formatCards('TFIELDS', columns.length),
  ]
  const put = (keyword: string, value: FitsValue | undefined) => {
    if (value === undefined) return
    cards.push(...formatCards(keyword, typeof value === 'string' ? printable(value) : value))
  }
  columns.forEach((column, c) => {
    const n = c + 1
    const { metadata } = column.field
    put(`TTYPE${n}`, column.field.name)
    put(`TFORM${n}`, tformOf(column, layout.descriptor))
    put(`TUNIT${n}`, metadata.get('unit'))
    put(`TUCD${n}`, metadata.get('ucd'))
    put(`TCOMM${n}`, metadata.get('description'))
    put(`TDIM${n}`, tdimOf(column))
    put(`TNULL${n}`, column.tnull)
    const zero = column.element.zero
    if (zero !== 0n) put(`TZERO${n}`, zero)
  })
  put('EXTNAME', name)
  cards.push('END'.padEnd(80))
  return cards
}

/** Header text is printable ASCII: anything else is replaced by `?`. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?')
}

/** Cards padded with spaces to whole 2880-byte blocks. */
function headerBytes(cards: readonly string[]): Uint8Array {
  const text = cards.join('')
  return new TextEncoder().encode(text.padEnd(Math.ceil(text.length / BLOCK) * BLOCK))
}
