import type { ColumnPiece, DatasetColumnLocation } from './columns.js'
import { AstropackError } from './errors.js'
import type { EntryRecord } from './index-sections.js'
import type { PackageReader } from './reader.js'

/**
 * Columns stored apart from each other (SPEC §7.3): an HDF5 group's 1-D datasets, each `rows` values back
 * to back from its own `dataOffset` in the file. Such a column is a byte range of the entry, so it is read
 * from the chunks holding that range only: in a bytes segment (or an entry without segments), chunk k
 * covers the file bytes after chunk k - 1's.
 */

/** One chunk of an entry holding file bytes [start, end) as they are. */
export interface ByteChunk {
  index: number
  start: number
  end: number
}

/** The chunks that hold file bytes [from, to) of an entry, in order; BAD_MANIFEST when some byte is not plain. */
export function chunksOfRange(
  reader: PackageReader,
  entry: EntryRecord,
  from: number,
  to: number,
): ByteChunk[] {
  const where = `bytes ${from} to ${to} of ${JSON.stringify(entry.path)}`
  if (to > entry.size) throw new AstropackError('BAD_MANIFEST', `${where}: the file has ${entry.size} bytes`)
  const segments = reader.segmentsOf(entry) ?? [
    { layout: 'bytes', rawOffset: 0, firstChunk: entry.firstChunk, chunkCount: entry.chunkCount },
  ]
  const out: ByteChunk[] = []
  let covered = from
  for (const segment of segments) {
    if (segment.layout !== 'bytes') continue // rows and text chunks do not map to file bytes one to one
    let start = segment.rawOffset
    for (let i = 0; i < segment.chunkCount && start < to; i++) {
      const index = segment.firstChunk + i
      const end = start + reader.chunks[index]!.rawSize
      if (end > from && start <= covered) {
        out.push({ index, start, end })
        covered = Math.max(covered, end)
      }
      start = end
    }
  }
  if (covered < to) throw new AstropackError('BAD_MANIFEST', `${where} are not stored as plain chunks`)
  return out
}

/** The chunks holding rows [start, end) of a column stored on its own. */
export function datasetChunks(location: DatasetColumnLocation, start: number, end: number): ByteChunk[] {
  if (start === end) return []
  const from = location.dataOffset + start * location.width
  const to = location.dataOffset + end * location.width
  return location.chunks.filter((chunk) => chunk.end > from && chunk.start < to)
}

/**
 * Yields rows [start, end) of a column stored on its own, chunk by chunk. A value split between two chunks
 * (a chunk size that is not a multiple of the width) is yielded as a one-row piece of its own.
 */
export async function* readDatasetColumn(
  reader: PackageReader,
  location: DatasetColumnLocation,
  start: number,
  end: number,
): AsyncGenerator<ColumnPiece> {
  const { width, dataOffset } = location
  const from = dataOffset + start * width
  const to = dataOffset + end * width
  const chunks = datasetChunks(location, start, end)
  let row = start
  let split: Uint8Array | undefined // the first bytes of a value the previous chunk ended inside
  let filled = 0
  let c = 0
  for await (const { chunk, stored } of reader.readStored(chunks.map((each) => each.index))) {
    const place = chunks[c++]!
    const raw = await reader.decode(chunk, stored)
    let bytes = raw.subarray(Math.max(from, place.start) - place.start, Math.min(to, place.end) - place.start)
    if (split) {
      const needed = Math.min(width - filled, bytes.byteLength)
      split.set(bytes.subarray(0, needed), filled)
      filled += needed
      bytes = bytes.subarray(needed)
      if (filled < width) continue
      yield { firstRow: row++, rowCount: 1, bytes: split }
      split = undefined
    }
    const rows = Math.floor(bytes.byteLength / width)
    if (rows > 0) yield { firstRow: row, rowCount: rows, bytes: bytes.subarray(0, rows * width) }
    row += rows
    if (rows * width < bytes.byteLength) {
      split = new Uint8Array(width)
      filled = bytes.byteLength - rows * width
      split.set(bytes.subarray(rows * width))
    }
  }
}
