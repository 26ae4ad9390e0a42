import type { TransformStep } from '@astropack/codecs'
import { TEXT_TABLE_SOURCES } from './column-values.js'
import {
  type ColumnRef,
  columnChunkIndexes,
  findColumn,
  locateColumn,
  type RowsColumnLocation,
} from './columns.js'
import type { PackageReader } from './reader.js'
import { RELATION_BYTES } from './relations.js'
import { CODEC_BY_ID } from './spec.js'
import { textColumnChunks } from './text-columns.js'

/** What one table column takes in a package, from the index alone (reads nothing). */
export interface ColumnStorage {
  /** Its chunks (a column of a rows or text segment: one a group). */
  chunks: number
  storedBytes: number
  /** Its first chunk's codec and transform steps (`xor8`, `bitshuffle8`, `decimal-be4.3`), as chosen for it. */
  codec: string
  steps: string[]
  /**
   * A column stored on its own (an HDF5 dataset) whose chunks also hold other bytes of the file: its
   * stored bytes are those chunks', more than its own.
   */
  shared: boolean
  /**
   * How many of a FITS or HDF5 table column's chunks hold predictions from other columns (SPEC §7.1,
   * told by their size); undefined for text tables, whose chunks say so only once decoded.
   */
  predicted?: number
}

/**
 * Where a table column's bytes went: how many chunks, how many stored bytes, with what chain. A text
 * table column predicted from others (SPEC §7.2, kind 8) counts its own chunks only.
 */
export function columnStorage(reader: PackageReader, ref: ColumnRef): ColumnStorage {
  const { table } = findColumn(reader, ref)
  let indexes: number[]
  let shared = false
  let predicted: number | undefined
  if (TEXT_TABLE_SOURCES.has(table.source)) indexes = textColumnChunks(reader, ref).indexes
  else {
    const location = locateColumn(reader, ref)
    indexes = columnChunkIndexes(location)
    if (location.kind === 'dataset') {
      const [from, to] = [location.dataOffset, location.dataOffset + location.rowCount * location.width]
      shared = location.chunks.some((chunk) => chunk.start < from || chunk.end > to)
    } else predicted = predictedChunks(reader, location)
  }
  const first = indexes[0] === undefined ? undefined : reader.chunks[indexes[0]]
  return {
    chunks: indexes.length,
    storedBytes: reader.storedBytes(indexes),
    codec: (first && CODEC_BY_ID.get(first.codecId)) ?? 'none',
    steps: first ? reader.transformsOf(first).map(stepName) : [],
    shared,
    ...(predicted === undefined ? {} : { predicted }),
  }
}

/** The chunks of a rows column holding predictions: 16 bytes more than their group's values. */
function predictedChunks(reader: PackageReader, location: RowsColumnLocation): number {
  let count = 0
  for (const { segment, slot } of location.parts) {
    for (let g = 0; g * segment.rowsPerGroup < segment.rowCount; g++) {
      const rows = Math.min(segment.rowsPerGroup, segment.rowCount - g * segment.rowsPerGroup)
      const chunk = reader.chunks[segment.firstChunk + g * segment.columns.length + slot]
      if (chunk?.rawSize === RELATION_BYTES + rows * location.width) count++
    }
  }
  return count
}

/** `xor8`; a decimal step with its scale (`decimal-be4.3`), a grid step with its divisor's index. */
function stepName(step: TransformStep): string {
  const param = step.scale ?? step.grid
  return `${step.op}${step.width}${param === undefined ? '' : `.${param}`}`
}
