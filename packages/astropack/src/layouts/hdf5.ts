import type { TransformStep } from '@astropack/codecs'
import { isElementWidth } from '@astropack/codecs'
import type { Hdf5Chunk, Hdf5Dataset, Hdf5Datatype } from '@astropack/readers/hdf5-layout'
import { type MetricSpec, positionKind } from './metrics.js'
import {
  type ColumnInBytes,
  coverWithBytes,
  MIN_TYPED_BYTES,
  numberChains,
  OPAQUE,
  type PlannedSegment,
  type PlanSource,
  type TableSchema,
} from './segments.js'

/** The HDF5 signature, at 0 or after a user block of 512, 1024 or 2048 bytes (larger ones are not looked for). */
const HDF5_MAGIC = Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)
const SIGNATURE_PLACES = [0, 512, 1024, 2048]

type RowsSegment = Extract<PlannedSegment, { layout: 'rows' }>
type BytesSegment = Extract<PlannedSegment, { layout: 'bytes' }>

/** Candidate chains for a dataset's (or member's) numbers, in their byte order (see numberChains). */
function numberCandidates(type: Hdf5Datatype): TransformStep[][] {
  // Booleans (bytes 0 and 1): their bit planes put every value in one plane.
  if (type.class === 'bool') return [[], [{ op: 'bitshuffle', width: 1 }]]
  if ((type.class !== 'integer' && type.class !== 'float') || !isElementWidth(type.size)) return OPAQUE
  return numberChains(type.class === 'integer' ? 'int' : 'float', type.size, type.byteOrder === 'big')
}

/** numpy's name of a member type (`<f8`, `|S6`, `<f4(2,)`), as the manifest records it. */
function typeName(type: Hdf5Datatype): string {
  const order = type.size === 1 ? '|' : 'byteOrder' in type && type.byteOrder === 'big' ? '>' : '<'
  switch (type.class) {
    case 'integer':
      return `${order}${type.signed ? 'i' : 'u'}${type.size}`
    case 'float':
      return `${order}f${type.size}`
    case 'string':
      return `|S${type.size}`
    case 'bool':
      return '|b1'
    case 'array':
      return `${typeName(type.base)}(${type.dims.join(',')},)`
    default:
      return `|V${type.size}`
  }
}

/**
 * How to measure values of this type (every element of an array member); strings, opaque types and
 * half floats are not. HDF5 has no null marker or scaling; positions are recognised by name alone (the
 * locator reads no unit attributes).
 */
function metricSpec(type: Hdf5Datatype, name: string): MetricSpec | undefined {
  const element = type.class === 'array' ? type.base : type
  // A boolean as its byte: count, min, max, and the mean is the fraction true.
  if (element.class === 'bool') return { element: 'u1', littleEndian: true, scale: 1, zero: 0 }
  if (element.class !== 'integer' && element.class !== 'float') return undefined
  const kind = element.class === 'float' ? 'f' : element.signed ? 'i' : 'u'
  const code = `${kind}${element.size}`
  if (!METRIC_ELEMENTS.has(code)) return undefined
  const range = positionKind(name, undefined)
  return {
    element: code as MetricSpec['element'],
    littleEndian: element.byteOrder === 'little',
    scale: 1,
    zero: 0,
    ...(range ? { range } : {}),
  }
}

const METRIC_ELEMENTS: ReadonlySet<string> = new Set([
  'i1',
  'u1',
  'i2',
  'u2',
  'i4',
  'u4',
  'i8',
  'u8',
  'f4',
  'f8',
])

/** Vectors of at most this many numbers a row (positions, velocities) are stored component by component. */
const MAX_VECTOR = 8

/**
 * An (N, k) numeric dataset, k <= MAX_VECTOR, as rows of k columns: an x follows the x before it, not the
 * z of the row before (simulation snapshots' (N, 3) coordinates: 7% smaller in a synthetic test).
 * Longer rows (spectra) keep their neighbours in the row, as plain bytes.
 */
function vectorSegment(dataset: Hdf5Dataset, start: number, size: number): RowsSegment | undefined {
  const { datatype, dims } = dataset
  const k = (dims ?? []).slice(1).reduce((product, n) => product * n, 1)
  if (!dims || dims.length < 2 || k < 2 || k > MAX_VECTOR) return undefined
  const candidates = numberCandidates(datatype)
  const width = datatype.size
  if (candidates === OPAQUE || width < 2 || size % (k * width) !== 0) return undefined
  const columns = Array.from({ length: k }, (_, c) => ({ offset: c * width, width, candidates }))
  return {
    layout: 'rows',
    start,
    end: start + size,
    rowWidth: k * width,
    rowCount: size / (k * width),
    columns,
  }
}

/**
 * A compound dataset as rows, one column per member (padding between members as opaque columns), with
 * the table the manifest lists when `listed`.
 */
function compoundSegment(
  dataset: Hdf5Dataset,
  start: number,
  size: number,
  listed = true,
): RowsSegment | undefined {
  const type = dataset.datatype
  if (type.class !== 'compound' || type.size === 0 || size % type.size !== 0) return undefined
  const members = [...type.members].sort((a, b) => a.offset - b.offset)
  const columns: RowsSegment['columns'] = []
  let at = 0
  for (const member of members) {
    if (member.offset < at || member.offset + member.type.size > type.size) return undefined // overlapping
    if (member.type.size === 0) continue
    if (member.offset > at) columns.push({ offset: at, width: member.offset - at, candidates: OPAQUE })
    const element = member.type.class === 'array' ? member.type.base : member.type
    const metric = metricSpec(member.type, member.name)
    columns.push({
      offset: member.offset,
      width: member.type.size,
      candidates: numberCandidates(element),
      ...(listed ? { tableColumn: type.members.indexOf(member), ...(metric ? { metric } : {}) } : {}),
    })
    at = member.offset + member.type.size
  }
  if (at < type.size) columns.push({ offset: at, width: type.size - at, candidates: OPAQUE })
  const rowCount = size / type.size
  if (!listed) return { layout: 'rows', start, end: start + size, rowWidth: type.size, rowCount, columns }
  const table: TableSchema = {
    name: dataset.path,
    source: 'hdf5',
    rows: rowCount,
    dataOffset: start,
    columns: type.members.map((member) => ({
      name: member.name,
      type: typeName(member.type),
      fieldOffset: member.offset,
    })),
  }
  return { layout: 'rows', start, end: start + size, rowWidth: type.size, rowCount, columns, table }
}

/**
 * The raw chunks of an unfiltered chunked dataset as byte ranges: chunks that follow each other in the
 * file (as libhdf5 writes them) join into one range, so small chunks still make a range worth typing.
 */
function chunkRuns(chunks: readonly Hdf5Chunk[]): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = []
  for (const chunk of [...chunks].sort((a, b) => a.address - b.address)) {
    const last = runs.at(-1)
    if (last && last.end === chunk.address) last.end += chunk.size
    else runs.push({ start: chunk.address, end: chunk.address + chunk.size })
  }
  return runs
}

/**
 * The row count of a 1-D chunked dataset whose chunks, in file order, hold rows 0, n, 2n, ... (n rows
 * each) and end with the chunk holding its last row; undefined otherwise.
 */
function rowsInOrder(dataset: Hdf5Dataset, chunks: readonly Hdf5Chunk[]): number | undefined {
  const rows = dataset.dims?.length === 1 ? dataset.dims[0]! : undefined
  const size = chunks[0]?.size ?? 0
  const perChunk = size / dataset.datatype.size
  if (rows === undefined || !Number.isInteger(perChunk) || perChunk === 0) return undefined
  const ordered = [...chunks].sort((a, b) => a.address - b.address)
  const inOrder = ordered.every((chunk, i) => chunk.size === size && chunk.offsets[0] === i * perChunk)
  return inOrder && ordered.length === Math.ceil(rows / perChunk) ? rows : undefined
}

/** Typed segments of unfiltered datasets (contiguous, or chunks) that lie inside the file and do not overlap. */
function hdf5Segments(datasets: Hdf5Dataset[], fileSize: number): PlannedSegment[] {
  const typed: PlannedSegment[] = []
  for (const dataset of datasets) {
    const { storage } = dataset
    if (storage.kind === 'chunked' && storage.chunks && dataset.filters === 0) {
      // A chunk holds whole rows when it spans every dimension but the first (chunks at offsets [r, 0, ..]).
      const wholeRows = storage.chunks.every((chunk) =>
        chunk.offsets.every((offset, d) => d === 0 || offset === 0),
      )
      const candidates = numberCandidates(dataset.datatype)
      const runs = chunkRuns(storage.chunks)
      // Rows of a chunked table (h5py's resizable datasets, PyTables): a run of chunks is whole rows, the
      // padding of the last chunk included. Listed as one table when its chunks follow the rows' order (as
      // libhdf5 writes a dataset in one go; its index nodes cut them into runs): its rows are the runs' in
      // order, so every run is typed, however small.
      const bytes = runs.reduce((sum, { start, end }) => sum + end - start, 0)
      const tableRows =
        dataset.datatype.class === 'compound' &&
        bytes >= MIN_TYPED_BYTES &&
        runs.every(({ end }) => end <= fileSize)
          ? rowsInOrder(dataset, storage.chunks)
          : undefined
      const typedRuns =
        tableRows !== undefined
          ? runs
          : runs.filter(({ start, end }) => end - start >= MIN_TYPED_BYTES && end <= fileSize)
      const segments: RowsSegment[] = []
      for (const { start, end } of typedRuns) {
        const rows =
          dataset.datatype.class === 'compound'
            ? compoundSegment(dataset, start, end - start, tableRows !== undefined)
            : wholeRows
              ? vectorSegment(dataset, start, end - start)
              : undefined
        if (rows) segments.push(rows)
        else if (candidates !== OPAQUE) typed.push({ layout: 'bytes', start, end, candidates })
      }
      const table = segments[0]?.table
      if (table && tableRows !== undefined) {
        table.rows = tableRows
        if (segments.length > 1) table.segments = segments.map((segment) => segment.start)
        let firstTableRow = 0
        for (const segment of segments) {
          segment.table = table // one table over every run, measured across them
          segment.firstTableRow = firstTableRow
          firstTableRow += segment.rowCount
        }
      }
      typed.push(...segments)
      continue
    }
    if (storage.kind !== 'contiguous' || storage.offset === undefined || dataset.filters > 0) continue
    const start = storage.offset
    const end = start + storage.size
    if (storage.size < MIN_TYPED_BYTES || end > fileSize) continue
    if (dataset.datatype.class === 'compound') {
      const segment = compoundSegment(dataset, start, storage.size)
      if (segment) typed.push(segment)
    } else {
      const candidates = numberCandidates(dataset.datatype)
      const vectors = vectorSegment(dataset, start, storage.size)
      if (vectors) typed.push(vectors)
      else if (candidates !== OPAQUE) typed.push({ layout: 'bytes', start, end, candidates })
    }
  }
  // Two datasets claiming the same bytes: the file is not what it says, and neither is typed.
  typed.sort((a, b) => a.start - b.start)
  const overlapping = new Set<PlannedSegment>()
  for (let i = 1; i < typed.length; i++) {
    if (typed[i]!.start < typed[i - 1]!.end) overlapping.add(typed[i]!).add(typed[i - 1]!)
  }
  return typed.filter((segment) => !overlapping.has(segment))
}

/** A dataset's data as file bytes [start, end), when they lie there as they are (contiguous, unfiltered). */
function plainBytes(dataset: Hdf5Dataset, fileSize: number): { start: number; end: number } | undefined {
  const { storage } = dataset
  if (storage.kind !== 'contiguous' || storage.offset === undefined || dataset.filters > 0) return undefined
  const end = storage.offset + storage.size
  return end <= fileSize ? { start: storage.offset, end } : undefined
}

/**
 * Tables of 1-D datasets: a group whose 1-D datasets (at least two) are all numeric (or numpy bools), of one length and
 * stored as plain bytes is a table with one column per dataset, in link order. A group with any other
 * 1-D dataset beside them gives none, rather than a table that leaves a column out.
 */
function groupTables(datasets: Hdf5Dataset[], fileSize: number): ColumnInBytes[][] {
  const groups = new Map<string, Hdf5Dataset[]>()
  for (const dataset of datasets) {
    if (dataset.dims?.length !== 1) continue
    const group = dataset.path.slice(0, dataset.path.lastIndexOf('/')) || '/'
    const members = groups.get(group)
    if (members) members.push(dataset)
    else groups.set(group, [dataset])
  }
  const tables: ColumnInBytes[][] = []
  for (const [group, members] of groups) {
    const rows = members[0]!.dims![0]!
    const placed = members.map((dataset) => {
      const { datatype } = dataset
      const numeric = datatype.class === 'integer' || datatype.class === 'float' || datatype.class === 'bool'
      const bytes = plainBytes(dataset, fileSize)
      const fits = numeric && isElementWidth(datatype.size) && dataset.dims![0] === rows
      return fits && bytes && bytes.end === bytes.start + rows * datatype.size ? bytes : undefined
    })
    if (members.length < 2 || rows === 0 || placed.some((bytes) => bytes === undefined)) continue
    const table: TableSchema = {
      name: group,
      source: 'hdf5',
      rows,
      dataOffset: Math.min(...placed.map((bytes) => bytes!.start)),
      columns: members.map((dataset, c) => ({
        name: dataset.path.slice(group.length === 1 ? 1 : group.length + 1),
        type: typeName(dataset.datatype),
        dataOffset: placed[c]!.start,
      })),
    }
    tables.push(
      members.map((dataset, c) => {
        const metric = metricSpec(dataset.datatype, table.columns[c]!.name)
        return { ...placed[c]!, table, tableColumn: c, ...(metric ? { metric } : {}) }
      }),
    )
  }
  return tables
}

/**
 * Runs of a group table's datasets that lie one after another in the file, each typed on its own, as
 * column-major rows segments instead: their columns then share groups, so one can be predicted or ranked
 * from another (h5py writes a group's datasets side by side: Tycho-2's sweep ranked on its magnitude,
 * 1.84 -> 0.85 MB; where metadata lies between two of them, the runs either side are joined). Returns the
 * segments, those datasets' own replaced, and the table columns left to place in bytes.
 */
function sideBySide(
  typed: PlannedSegment[],
  tables: ColumnInBytes[][],
): { typed: PlannedSegment[]; tables: ColumnInBytes[][] } {
  const joined = new Set<PlannedSegment>()
  const segments: PlannedSegment[] = []
  const left: ColumnInBytes[][] = []
  for (const columns of tables) {
    const sorted = [...columns].sort((a, b) => a.start - b.start)
    // Datasets that claim the same bytes: left to placeColumns, which drops the table.
    if (sorted.some((column, i) => i > 0 && column.start < sorted[i - 1]!.end)) {
      left.push(columns)
      continue
    }
    const runs: { column: ColumnInBytes; own: BytesSegment }[][] = []
    const alone: ColumnInBytes[] = []
    for (const column of sorted) {
      const own = typed.find(
        (s): s is BytesSegment => s.layout === 'bytes' && s.start === column.start && s.end === column.end,
      )
      const run = runs.at(-1)
      if (!own || joined.has(own)) alone.push(column)
      else if (run && run.at(-1)!.column.end === column.start) run.push({ column, own })
      else runs.push([{ column, own }])
    }
    for (const run of runs) {
      if (run.length < 2) {
        alone.push(run[0]!.column)
        continue
      }
      for (const { own } of run) joined.add(own)
      segments.push(columnMajorSegment(run))
    }
    if (alone.length > 0) left.push(alone)
  }
  return { typed: [...typed.filter((segment) => !joined.has(segment)), ...segments], tables: left }
}

/** Datasets of one table that lie one after another, as one column-major rows segment. */
function columnMajorSegment(run: { column: ColumnInBytes; own: BytesSegment }[]): RowsSegment {
  const rows = run[0]!.column.table.rows!
  let offset = 0
  const columns = run.map(({ column, own }) => {
    const width = (column.end - column.start) / rows
    const slice = {
      offset,
      width,
      candidates: own.candidates,
      tableColumn: column.tableColumn,
      ...(column.metric ? { metric: column.metric } : {}),
    }
    offset += width
    return slice
  })
  const { start, table } = run[0]!.column
  const end = run.at(-1)!.column.end
  return { layout: 'rows', columnMajor: true, start, end, rowWidth: offset, rowCount: rows, columns, table }
}

/**
 * Gives each group table's columns to the bytes segments holding them. A table whose columns overlap
 * each other or lie partly in a rows segment is dropped: its bytes are not what the file says.
 */
function placeColumns(plan: PlannedSegment[], tables: ColumnInBytes[][]): void {
  for (const columns of tables) {
    const sorted = [...columns].sort((a, b) => a.start - b.start)
    if (sorted.some((column, i) => i > 0 && column.start < sorted[i - 1]!.end)) continue
    const homes = columns.map((column) =>
      plan.find((s) => s.layout === 'bytes' && s.start <= column.start && column.end <= s.end),
    )
    if (homes.some((home) => home === undefined)) continue
    columns.forEach((column, c) => {
      const home = homes[c] as BytesSegment
      home.columns = [...(home.columns ?? []), column]
    })
  }
}

/**
 * Plans an HDF5 file: each contiguous, unfiltered numeric dataset becomes a bytes segment with transform
 * candidates for its element type and byte order, and so does each run of adjacent raw chunks of an
 * unfiltered chunked one; a compound dataset becomes a rows segment (one column per member), and so does
 * each chunk run of a chunked one (one table over the runs when they hold its rows in order);
 * metadata, small, compressed and other datasets stay opaque. A group of 1-D datasets of
 * one length is recorded as a table over their bytes (typed or not). Returns undefined for files that are
 * not HDF5, that the locator cannot read, or that hold nothing to type.
 */
export async function planHdf5(source: PlanSource, head: Uint8Array): Promise<PlannedSegment[] | undefined> {
  if (!SIGNATURE_PLACES.some((at) => HDF5_MAGIC.every((byte, i) => head[at + i] === byte))) return undefined
  const readers = await import('@astropack/readers/hdf5-layout')
  const size = source.byteLength
  try {
    const layout = await readers.locateHdf5Datasets(source)
    const { typed, tables } = sideBySide(
      hdf5Segments(layout.datasets, size),
      groupTables(layout.datasets, size),
    )
    if (typed.length === 0 && tables.length === 0) return undefined
    const plan = coverWithBytes(typed, size)
    placeColumns(plan, tables)
    return plan
  } catch {
    return undefined // an HDF5 file the locator cannot read is still packed, as opaque bytes
  }
}
