import type { ElementWidth, TransformStep } from '@astropack/codecs'
import type { ManifestColumn } from '@astropack/format'
import type { MetricSpec } from './metrics.js'

/**
 * How a file is stored: a list of segments covering it in order. A `bytes` segment is cut into chunks,
 * each encoded with the best of its candidate transform chains; a `rows` segment is a table of fixed-width
 * rows stored column by column. Only layouts a reader recognised are typed; everything else is opaque
 * bytes, and unpack rebuilds the same bytes either way (SHA-256 checked).
 */
export type PlannedSegment =
  | {
      layout: 'bytes'
      start: number
      end: number
      candidates: TransformStep[][]
      /** Table columns whose values lie in these bytes (HDF5 datasets of a group), measured as read. */
      columns?: ColumnInBytes[]
    }
  | {
      layout: 'text'
      start: number
      end: number
      delimiter: number
      columnCount: number
      table: TableSchema
      /** A fixed-width table: where its fields' delimiters stand in each line (see splitTextGroup), and its line end. */
      fixed?: { separators: number[]; crlf: boolean }
    }
  | {
      layout: 'rows'
      start: number
      end: number
      rowWidth: number
      rowCount: number
      columns: {
        offset: number
        width: number
        candidates: TransformStep[][]
        /** The table column this is (an index into `table.columns`), and how to measure it. */
        tableColumn?: number
        metric?: MetricSpec
      }[]
      /** The table the manifest lists, when the rows are one a reader exposes (not FITS ASCII tables'). */
      table?: TableSchema
      /** The table row this segment's first row is, when the table spans several segments (else 0). */
      firstTableRow?: number
      /** The file holds the columns one after another, not row after row (HDF5 datasets side by side). */
      columnMajor?: boolean
    }

/** A column stored on its own: its values are file bytes [start, end); the table it is column `tableColumn` of. */
export interface ColumnInBytes {
  start: number
  end: number
  table: TableSchema
  tableColumn: number
  metric?: MetricSpec
}

/** What a reader said about a table it recognised: recorded in the manifest (`tables`). */
export interface TableSchema {
  /** The table's name: FITS EXTNAME (or `HDU n`); for text files, the file name. */
  name: string
  /** Where it came from: `fits` (with the HDU number), `hdf5`, `csv` / `tsv`, `ecsv` or `fixed-width`. */
  source: string
  /** What recognised it, and its version (filled in when packed). */
  reader?: string
  hdu?: number
  /** Row count, when the header says it (FITS); text tables are counted while packing. */
  rows?: number
  /** Where the rows start in the file: the raw offset of the table's segment, which readers match it by. */
  dataOffset: number
  /** The raw offsets of the segments holding the rows, in row order, when there are several. */
  segments?: number[]
  /** As the manifest records them (FITS TSCAL/TZERO/TNULL when set; metrics measured while packing). */
  columns: ManifestColumn[]
}

/**
 * Below this, typing a region is not worth its extra chunks. At 64 KiB, small FITS tables stayed opaque and
 * lost to fpack -table (HST STIS throughput, 46 KB: 1.66 against 1.78; typed 2.39); at 16 KiB no file of the
 * corpus or of 16 other real FITS tables packs larger.
 */
export const MIN_TYPED_BYTES = 16 * 1024

/**
 * Whether a text table of `bytes` is too wide to type: each column becomes chunks of its own, so a table
 * of thousands of columns and few rows (a distance matrix) would be mostly chunk headers.
 */
export function tooWide(bytes: number, columns: number): boolean {
  return bytes / columns < MIN_COLUMN_BYTES
}

/** The bytes of a text table per column below which it is not typed (see tooWide). */
const MIN_COLUMN_BYTES = 1024

export const OPAQUE: TransformStep[][] = [[]]

/**
 * Candidate chains for numbers of `width` bytes in the given byte order: as is, byte planes, byte planes of
 * differences (integers) or of XORs (floats), and bit planes of zigzagged differences (noise around a
 * level, either way: sst-crisp's 16-bit frame 824 -> 774 KB against plain differences) or, for floats, of
 * XORs. Zigzagged differences come first: on samples the two are often within the 1% a later chain must
 * win by, and over whole columns differences win (Tycho-2's positions, 20 groups at zstd -3: 19.08 ->
 * 18.94 MB; at --level max 18.93 -> 18.81 MB). For floats of 4 or 8 bytes that may be exact decimals
 * (magnitudes, errors), decimal then byte planes, and for doubles that may sit on a sexagesimal grid
 * (positions from h:m:s), grid then byte planes; the worker finds the scale and grid from the data. Doubles
 * also try split differences in bit planes (Tycho-2's positions: 2.1% smaller than zigzagged differences).
 * `decimals` false leaves both out (text columns, whose kinds already hold such values). Little-endian
 * chains put their planes high byte first (highPlanesFirst).
 */
export function numberChains(
  kind: 'int' | 'float',
  width: ElementWidth,
  bigEndian: boolean,
  decimals = true,
): TransformStep[][] {
  const delta: TransformStep = { op: bigEndian ? 'delta-be' : 'delta-le', width }
  const zigzag: TransformStep = { op: bigEndian ? 'delta-zigzag-be' : 'delta-zigzag-le', width }
  if (width === 1) return kind === 'int' ? [[], [delta], [zigzag]] : OPAQUE
  const predict: TransformStep = kind === 'int' ? delta : { op: 'xor', width }
  const chains: TransformStep[][] = [
    [],
    [{ op: 'shuffle', width }],
    [predict, { op: 'shuffle', width }],
    [zigzag, { op: 'bitshuffle', width }],
  ]
  if (kind === 'int') chains.push([zigzag, { op: 'shuffle', width }])
  // Floats keep plain differences too: across zero a float's bits jump by about 2^(8 width - 1), which a
  // plain difference keeps in its top bit and a zigzag spreads over all (SDO's 64-bit frame: 22.5 -> 24.0 KB).
  if (kind === 'float')
    chains.push(
      [predict, { op: 'bitshuffle', width }],
      [delta, { op: 'bitshuffle', width }],
      [delta, zigzag, { op: 'bitshuffle', width }],
    )
  // Doubles that are a float32 plus a small correction: the correction apart from the differences.
  if (kind === 'float' && width === 8)
    chains.push([
      { op: bigEndian ? 'split-delta-be' : 'split-delta-le', width, lowBits: FLOAT32_LOW_BITS },
      { op: 'bitshuffle', width },
    ])
  if (kind === 'float' && width >= 4 && decimals)
    chains.push([
      { op: bigEndian ? 'decimal-be' : 'decimal-le', width },
      { op: 'shuffle', width },
    ])
  if (kind === 'float' && width === 8 && decimals)
    chains.push(
      [
        { op: bigEndian ? 'grid-be' : 'grid-le', width },
        { op: 'shuffle', width },
      ],
      [
        { op: bigEndian ? 'grid-be' : 'grid-le', width },
        { op: 'bitshuffle', width },
      ],
    )
  return bigEndian ? chains : highPlanesFirst(chains, width)
}

/** The bits of a double's mantissa below a float32's (52 - 23): split-delta's low bits for doubles. */
const FLOAT32_LOW_BITS = 29

/** Fills the gaps between typed regions with opaque bytes segments, so the plan covers [0, size). */
export function coverWithBytes(typed: PlannedSegment[], size: number): PlannedSegment[] {
  const out: PlannedSegment[] = []
  let at = 0
  for (const segment of typed.sort((a, b) => a.start - b.start)) {
    if (segment.start > at) out.push({ layout: 'bytes', start: at, end: segment.start, candidates: OPAQUE })
    out.push(segment)
    at = segment.end
  }
  if (at < size) out.push({ layout: 'bytes', start: at, end: size, candidates: OPAQUE })
  return out
}

/** What a planner reads a file through (see SourceFile): its name, size and any range of its bytes. */
export interface PlanSource {
  readonly name: string
  readonly byteLength: number
  slice(start: number, end: number): Promise<Uint8Array>
}

/**
 * Chains for little-endian numbers: those that end in byte or bit planes reverse each element's bytes
 * first (swap-bytes), so the planes come high byte first, as a big-endian column's do. zstd codes them so
 * ordered better, and the sample a chain is picked on is too small to tell (measured over whole chunks:
 * Tycho-2's magnitudes as little-endian decimals in byte planes 2.97 -> 2.88 MB; its CSV 2.4% smaller,
 * Hipparcos's 2.2%; nothing in the corpus more than 0.06% larger).
 */
export function highPlanesFirst(chains: TransformStep[][], width: ElementWidth): TransformStep[][] {
  if (width === 1) return chains
  const swap: TransformStep = { op: 'swap-bytes', width }
  return chains.map((chain) => {
    const planes = chain.findIndex((step) => step.op === 'shuffle' || step.op === 'bitshuffle')
    return planes === -1 ? chain : [...chain.slice(0, planes), swap, ...chain.slice(planes)]
  })
}
