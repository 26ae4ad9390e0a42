import type { ElementWidth, TransformStep } from '@astropack/codecs'
import { isElementWidth } from '@astropack/codecs'
import type { Hdf5Dataset, Hdf5Datatype } from '@astropack/readers/hdf5-layout'
import { coverWithBytes, MIN_TYPED_BYTES, OPAQUE, type PlannedSegment, type TableSchema } from './segments.js'

/** The HDF5 signature, at 0 or after a user block of 512, 1024 or 2048 bytes (larger ones are not looked for). */
const HDF5_MAGIC = Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)
const SIGNATURE_PLACES = [0, 512, 1024, 2048]

type RowsSegment = Extract<PlannedSegment, { layout: 'rows' }>

/**
 * Candidate chains for numbers of `width` bytes in the file's byte order: as is, byte planes, planes of
 * differences (integers) or of XORs (floats), and for floats that are exact decimals, decimal then planes.
 */
function numberCandidates(type: Hdf5Datatype): TransformStep[][] {
  if ((type.class !== 'integer' && type.class !== 'float') || !isElementWidth(type.size)) return OPAQUE
  const width: ElementWidth = type.size
  const big = type.byteOrder === 'big'
  if (width === 1) return type.class === 'integer' ? [[], [{ op: 'delta-le', width }]] : OPAQUE
  const predict: TransformStep =
    type.class === 'integer' ? { op: big ? 'delta-be' : 'delta-le', width } : { op: 'xor', width }
  const chains: TransformStep[][] = [[], [{ op: 'shuffle', width }], [predict, { op: 'shuffle', width }]]
  if (type.class === 'float' && width >= 4)
    chains.push([
      { op: big ? 'decimal-be' : 'decimal-le', width },
      { op: 'shuffle', width },
    ])
  return chains
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
    case 'array':
      return `${typeName(type.base)}(${type.dims.join(',')},)`
    default:
      return `|V${type.size}`
  }
}

/** A compound dataset as rows, one column per member (padding between members as opaque columns). */
function compoundSegment(dataset: Hdf5Dataset, start: number, size: number): RowsSegment | undefined {
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
    columns.push({
      offset: member.offset,
      width: member.type.size,
      candidates: numberCandidates(element),
      tableColumn: type.members.indexOf(member),
    })
    at = member.offset + member.type.size
  }
  if (at < type.size) columns.push({ offset: at, width: type.size - at, candidates: OPAQUE })
  const rowCount = size / type.size
  const table: TableSchema = {
    name: dataset.path,
    source: 'hdf5',
    rows: rowCount,
    dataOffset: start,
    columns: type.members.map((member) => ({ name: member.name, type: typeName(member.type) })),
  }
  return { layout: 'rows', start, end: start + size, rowWidth: type.size, rowCount, columns, table }
}

/** Typed segments of contiguous, unfiltered datasets that lie inside the file and do not overlap. */
function hdf5Segments(datasets: Hdf5Dataset[], fileSize: number): PlannedSegment[] {
  const typed: PlannedSegment[] = []
  for (const dataset of datasets) {
    const { storage } = dataset
    if (storage.kind !== 'contiguous' || storage.offset === undefined || dataset.filters > 0) continue
    const start = storage.offset
    const end = start + storage.size
    if (storage.size < MIN_TYPED_BYTES || end > fileSize) continue
    if (dataset.datatype.class === 'compound') {
      const segment = compoundSegment(dataset, start, storage.size)
      if (segment) typed.push(segment)
    } else {
      const candidates = numberCandidates(dataset.datatype)
      if (candidates !== OPAQUE) typed.push({ layout: 'bytes', start, end, candidates })
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

/**
 * Plans an HDF5 file: each contiguous, unfiltered numeric dataset becomes a bytes segment with transform
 * candidates for its element type and byte order, a compound dataset a rows segment (one column per
 * member); metadata, small, chunked, compressed and other datasets stay opaque. Returns undefined for files
 * that are not HDF5, that the locator cannot read, or that hold nothing to type.
 */
export async function planHdf5(
  path: string,
  size: number,
  head: Uint8Array,
): Promise<PlannedSegment[] | undefined> {
  if (!SIGNATURE_PLACES.some((at) => HDF5_MAGIC.every((byte, i) => head[at + i] === byte))) return undefined
  const readers = await import('@astropack/readers/hdf5-layout')
  const source = await readers.openFileSource(path)
  try {
    const layout = await readers.locateHdf5Datasets(source)
    const typed = hdf5Segments(layout.datasets, size)
    return typed.length > 0 ? coverWithBytes(typed, size) : undefined
  } catch {
    return undefined // an HDF5 file the locator cannot read is still packed, as opaque bytes
  } finally {
    await source.close()
  }
}
