import type { ByteSource } from '../byte-source.js'
import { textSlices } from './feed.js'
import type { VotableScan } from './model.js'
import { type RowSink, VotableWalker } from './walker.js'

export interface VotableScanOptions {
  /** Bytes read from the source at a time. Default 4 MiB. */
  sliceBytes?: number
}

/** Counts rows without keeping any cell. */
const COUNT_ONLY: RowSink = {
  data: () => false,
  cell: () => {},
  row: () => {},
  stream: () => {},
  streamEnd: () => {},
  tableEnd: () => {},
}

/**
 * Reads a VOTable's structure in one streamed pass: resources, tables, fields, params, each table's
 * encoding and TABLEDATA row count. Memory holds the metadata and one slice of text, not the rows.
 */
export async function scanVotable(
  source: ByteSource,
  options: VotableScanOptions = {},
): Promise<VotableScan> {
  const walker = new VotableWalker(COUNT_ONLY, 0)
  for await (const text of textSlices(source, options.sliceBytes)) walker.write(text)
  walker.close()
  return walker.scan
}
