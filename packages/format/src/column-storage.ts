import type { TransformStep } from '@astropack/codecs'
import { TEXT_TABLE_SOURCES } from './column-values.js'
import { type ColumnRef, columnChunkIndexes, findColumn, locateColumn } from './columns.js'
import type { PackageReader } from './reader.js'
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
}

/**
 * Where a table column's bytes went: how many chunks, how many stored bytes, with what chain. A text
 * table column predicted from others (SPEC §7.2, kind 8) counts its own chunks only.
 */
export function columnStorage(reader: PackageReader, ref: ColumnRef): ColumnStorage {
  const { table } = findColumn(reader, ref)
  let indexes: number[]
  let shared = false
  if (TEXT_TABLE_SOURCES.has(table.source)) indexes = textColumnChunks(reader, ref).indexes
  else {
    const location = locateColumn(reader, ref)
    indexes = columnChunkIndexes(location)
    if (location.kind === 'dataset') {
      const [from, to] = [location.dataOffset, location.dataOffset + location.rowCount * location.width]
      shared = location.chunks.some((chunk) => chunk.start < from || chunk.end > to)
    }
  }
  const first = indexes[0] === undefined ? undefined : reader.chunks[indexes[0]]
  return {
    chunks: indexes.length,
    storedBytes: reader.storedBytes(indexes),
    codec: (first && CODEC_BY_ID.get(first.codecId)) ?? 'none',
    steps: first ? reader.transformsOf(first).map(stepName) : [],
    shared,
  }
}

/** `xor8`; a decimal step with its scale (`decimal-be4.3`), a grid step with its divisor's index. */
function stepName(step: TransformStep): string {
  const param = step.scale ?? step.grid
  return `${step.op}${step.width}${param === undefined ? '' : `.${param}`}`
}
