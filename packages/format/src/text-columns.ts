import type { ColumnValue } from './column-values.js'
import { type ColumnRef, decodeGroupChunks, findColumn, type ReadColumnOptions } from './columns.js'
import { AstropackError } from './errors.js'
import type { PackageReader } from './reader.js'
import { predictedSources, resolvePredicted } from './text-table/predicted.js'
import { rankedSource, resolveRankedText } from './text-table/ranked.js'
import { joinTextGroup, NULL_FIELDS, TextChunkFlag, TextColumnKind } from './text-table.js'
import type { SegmentRecord, TextLayout } from './typed-sections.js'

/**
 * One column of a CSV/TSV table stored as a text segment (SPEC §7.2), read from that column's chunks
 * only. Groups hold whole lines but no fixed number of them, so every group's chunk of the column is read
 * (its header says how many rows it holds) even for a row range; other columns are touched only where
 * the column's chunk is predicted from them (kind 8): that group's two source chunks.
 */

const latin1 = new TextDecoder('latin1')

/** A decimal number as catalogs write it (what Number() also reads, without hex, blanks or Infinity words). */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?(nan|NaN|NAN|inf|Infinity)$/

/**
 * The fields of one group as values (quoted fields without their quotes): null for empty and null-like fields; numbers when every other field
 * of the group is a number (a column stored as text because most of it is empty is still numbers); else
 * the text of each field.
 */
function fieldValues(stored: string[]): ColumnValue[] {
  const fields = stored.map(unquote)
  // Numbers and nulls are read without the spaces that align them (VizieR's TSV); text keeps them.
  const trimmed = fields.map((field) => (field.startsWith(' ') || field.endsWith(' ') ? field.trim() : field))
  const numeric = trimmed.every((field) => NULL_FIELDS.has(field) || NUMBER.test(field))
  return trimmed.map((field, i) => {
    if (NULL_FIELDS.has(field)) return null
    if (!numeric) return fields[i]!
    // Integers past 2^53 (IDs) as BigInt, not as the nearest double.
    if (/^-?\d{16,19}$/.test(field) && !Number.isSafeInteger(Number(field))) return BigInt(field)
    return /^[-+]?inf$/i.test(field) ? (field.startsWith('-') ? -Infinity : Infinity) : Number(field)
  })
}

/** A quoted field's text: without its quotes, two quotes inside read as one (other fields as they are). */
function unquote(field: string): string {
  if (field.length < 2 || field[0] !== '"' || field.at(-1) !== '"') return field
  return field.slice(1, -1).replaceAll('""', '"')
}

/** The text segment a CSV/TSV table is stored as (by its `dataOffset`, else the entry's only one). */
function textSegment(reader: PackageReader, entryPath: string, dataOffset: number | undefined) {
  const typed = (reader.segmentsOf(reader.entry(entryPath)) ?? []).filter(
    (segment): segment is SegmentRecord & TextLayout => segment.layout === 'text',
  )
  const segment = dataOffset === undefined ? typed[0] : typed.find((s) => s.rawOffset === dataOffset)
  if (!segment) throw new AstropackError('BAD_MANIFEST', `${entryPath}: its table is not stored by column`)
  return segment
}

/** A text table column's chunks: chunk `index` of every group of its segment (SPEC §7.3); reads nothing. */
export function textColumnChunks(reader: PackageReader, ref: ColumnRef) {
  const { entry, table, index } = findColumn(reader, ref)
  const segment = textSegment(reader, entry.path, table.dataOffset)
  // The manifest's columns against the index's: a damaged manifest may name more than the text has.
  if (index >= segment.columnCount)
    throw new AstropackError(
      'BAD_MANIFEST',
      `${entry.path}: the table's column ${index + 1} is past its text's ${segment.columnCount} columns`,
    )
  const groups = segment.chunkCount / segment.columnCount
  const indexes = Array.from(
    { length: groups },
    (_, g) => segment.firstChunk + g * segment.columnCount + index,
  )
  return { entry, table, segment, indexes }
}

/** Yields a text table column's values, group by group, for rows [start, end) (every row by default). */
export async function* readTextColumnValues(
  reader: PackageReader,
  options: ReadColumnOptions,
): AsyncGenerator<ColumnValue[]> {
  const { entry, table, segment, indexes } = textColumnChunks(reader, options)
  const rowCount = table.rows ?? Number.POSITIVE_INFINITY
  const [start, end] = options.rows ?? [0, rowCount]
  if (!Number.isSafeInteger(start) || start < 0 || start > end || end > rowCount)
    throw new AstropackError(
      'USAGE',
      `rows [${start}, ${end}) are not a range of the table's ${rowCount} rows`,
    )
  let firstRow = 0
  let group = 0
  for await (const { chunk, stored } of reader.readStored(indexes)) {
    if (firstRow >= end) return
    const groupStart = segment.firstChunk + group++ * segment.columnCount
    let column = await reader.decode(chunk, stored)
    if (column[0] === TextColumnKind.predicted || column[0] === TextColumnKind.ranked) {
      const predicted = column[0] === TextColumnKind.predicted
      const wanted = predicted ? predictedSources(column) : [rankedSource(column)]
      const sources = await decodeGroupChunks(reader, groupStart, wanted, segment.columnCount)
      const source = (c: number) => sources.get(c)
      column = predicted ? resolvePredicted(column, source) : resolveRankedText(column, source)
    }
    if (column[0] === TextColumnKind.raw) {
      throw new AstropackError(
        'UNSUPPORTED_FEATURE',
        `${entry.path}: rows from ${firstRow} on are stored as plain text (quotes, CR or uneven lines); ` +
          'read them with cat',
      )
    }
    // The column alone, rebuilt as lines: one field per line (CR LF when the file's lines end so).
    const lineEnd = (column[2]! & TextChunkFlag.crlf) !== 0 ? '\r\n' : '\n'
    const fields = latin1.decode(joinTextGroup([column], segment.delimiter)).split(lineEnd)
    fields.pop()
    const from = Math.max(start - firstRow, 0)
    const to = Math.min(end - firstRow, fields.length)
    if (to > from) yield fieldValues(fields.slice(from, to))
    firstRow += fields.length
  }
}
