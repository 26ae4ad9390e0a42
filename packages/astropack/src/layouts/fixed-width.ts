import { FIXED_WIDTH_SAMPLE_BYTES, findFixedWidthTable } from '@astropack/readers/fixed-width'
import { isPlainText, lastLineEnd } from './csv.js'
import { coverWithBytes, MIN_TYPED_BYTES, type PlannedSegment, type PlanSource, tooWide } from './segments.js'

const SPACE = 32

/**
 * Plans a fixed-width text table (see findFixedWidthTable): the lines above it stay as they are; its lines,
 * up to the file's last newline, become a text segment whose fields are split at the table's separators.
 * Packing ends the table at the first line that does not have them (a footer): the rest is plain bytes.
 */
export async function planFixedWidth(
  source: PlanSource,
  head: Uint8Array,
): Promise<PlannedSegment[] | undefined> {
  if (!isPlainText(head)) return undefined
  const size = source.byteLength
  const sample = await source.slice(0, Math.min(size, FIXED_WIDTH_SAMPLE_BYTES))
  if (!isPlainText(sample)) return undefined
  const layout = findFixedWidthTable(sample)
  // A few aligned lines in a program or a text (8 lines of a Perl table) are not worth their chunks.
  if (!layout || layout.sampledEnd - layout.dataStart < MIN_TYPED_BYTES) return undefined
  const end = await lastLineEnd(source)
  if (end <= layout.dataStart || tooWide(end - layout.dataStart, layout.fields.length)) return undefined
  const table = {
    name: source.name,
    source: 'fixed-width',
    dataOffset: layout.dataStart,
    columns: layout.fields.map(({ name }) => ({ name })),
  }
  const separators = layout.fields.slice(1).map((field) => field.start - 1)
  const text: PlannedSegment = {
    layout: 'text',
    start: layout.dataStart,
    end,
    delimiter: SPACE,
    columnCount: layout.fields.length,
    table,
    fixed: { separators, crlf: layout.crlf },
  }
  return coverWithBytes([text], size)
}
