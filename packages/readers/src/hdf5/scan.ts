import type { Dataset, Group } from 'h5wasm/node'
import { hdf5Error } from './errors.js'
import { closeHdf5, libraryCall, type OpenHdf5, openHdf5 } from './h5wasm.js'
import { DECODABLE_FILTERS, describeType, type Hdf5Filter, type Hdf5Type } from './types.js'

export type Hdf5AttributeValue = string | number | bigint | boolean | (string | number | bigint | boolean)[]

export interface Hdf5GroupInfo {
  /** Absolute path, `/` for the root group. */
  path: string
  attributes: Record<string, Hdf5AttributeValue>
}

export interface Hdf5DatasetInfo {
  path: string
  shape: number[]
  type: Hdf5Type
  /** Chunk shape; absent for contiguous or compact storage. */
  chunks: number[] | undefined
  filters: Hdf5Filter[]
  attributes: Record<string, Hdf5AttributeValue>
  /** From the `unit` (or `units`, `UNIT`) attribute. */
  unit: string | undefined
  /** From the `ucd` (or `UCD`) attribute. */
  ucd: string | undefined
  /** From the `description` (or `long_name`, `DESCRIPTION`) attribute. */
  description: string | undefined
}

export interface Hdf5Scan {
  /** Bytes in the file. */
  byteLength: number
  /** Byte offset of the superblock (the user block size) and its version. */
  superblock: { offset: number; version: number }
  groups: Hdf5GroupInfo[]
  datasets: Hdf5DatasetInfo[]
  /** Links this reader does not follow: soft links to nothing, links to other files; named datatypes. */
  skipped: { path: string; kind: 'broken link' | 'external link' | 'datatype' }[]
}

/** Lists the groups and datasets of an HDF5 file with their types, layout, filters and attributes; reads no data. */
export async function scanHdf5(path: string): Promise<Hdf5Scan> {
  const open = await openHdf5(path)
  try {
    const groups: Hdf5GroupInfo[] = [{ path: '/', attributes: readAttributes(open, open.file) }]
    const datasets: Hdf5DatasetInfo[] = []
    const skipped: Hdf5Scan['skipped'] = []
    const names = libraryCall({ file: open.name }, 'list the objects', () => open.file.paths())
    for (const name of names) {
      const objectPath = `/${name}`
      const entity = libraryCall({ file: open.name, object: objectPath }, 'open the object', () =>
        open.file.get(objectPath),
      )
      if (entity instanceof open.h5.Group) {
        groups.push({ path: objectPath, attributes: readAttributes(open, entity) })
      } else if (entity instanceof open.h5.Dataset) {
        datasets.push(describeDataset(open, entity))
      } else if (entity instanceof open.h5.BrokenSoftLink) {
        skipped.push({ path: objectPath, kind: 'broken link' })
      } else if (entity instanceof open.h5.ExternalLink) {
        skipped.push({ path: objectPath, kind: 'external link' })
      } else {
        skipped.push({ path: objectPath, kind: 'datatype' })
      }
    }
    const { offset, version } = open.superblock
    return { byteLength: open.byteLength, superblock: { offset, version }, groups, datasets, skipped }
  } finally {
    closeHdf5(open)
  }
}

export function describeDataset(open: OpenHdf5, dataset: Dataset): Hdf5DatasetInfo {
  const where = { file: open.name, object: dataset.path }
  const metadata = libraryCall(where, 'read the dataset header', () => dataset.metadata)
  const filters = libraryCall(where, 'read the filter pipeline', () => dataset.filters)
  const attributes = readAttributes(open, dataset)
  return {
    path: dataset.path,
    shape: metadata.shape ?? [],
    type: describeType(metadata),
    chunks: metadata.chunks ?? undefined,
    filters: filters.map((filter) => ({ id: filter.id, name: filter.name, parameters: filter.cd_values })),
    attributes,
    unit: textAttribute(attributes, ['unit', 'units', 'UNIT']),
    ucd: textAttribute(attributes, ['ucd', 'UCD']),
    description: textAttribute(attributes, ['description', 'long_name', 'DESCRIPTION']),
  }
}

/** Refuses a dataset stored through a filter the HDF5 library in h5wasm cannot decode (it would give zeros). */
export function checkFilters(file: string, dataset: Hdf5DatasetInfo): void {
  const unknown = dataset.filters.find((filter) => !DECODABLE_FILTERS.has(filter.id))
  if (unknown !== undefined) {
    throw hdf5Error(
      'UNSUPPORTED_FEATURE',
      { file, object: dataset.path },
      `stored with filter ${unknown.id} (${unknown.name || 'unnamed'}), which this reader cannot decode ` +
        `(it reads ${[...DECODABLE_FILTERS.values()].join(', ')})`,
    )
  }
}

/** Attribute values as plain JS values; ones that are not numbers or text (references, compounds) are left out. */
function readAttributes(open: OpenHdf5, object: Group | Dataset): Record<string, Hdf5AttributeValue> {
  const where = { file: open.name, object: object.path }
  const attributes = libraryCall(where, 'list attributes', () => object.attrs)
  const out: Record<string, Hdf5AttributeValue> = {}
  for (const name of Object.keys(attributes)) {
    const value = plainValue(libraryCall(where, `read attribute ${name}`, () => attributes[name]!.value))
    if (value !== undefined) out[name] = value
  }
  return out
}

function plainValue(value: unknown): Hdf5AttributeValue | undefined {
  if (['string', 'number', 'bigint', 'boolean'].includes(typeof value)) return value as Hdf5AttributeValue
  const items = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number | bigint>) : value
  if (!Array.isArray(items)) return undefined
  const plain = items.filter((item) => ['string', 'number', 'bigint', 'boolean'].includes(typeof item))
  return plain.length === items.length ? plain : undefined
}

function textAttribute(attributes: Record<string, Hdf5AttributeValue>, names: string[]): string | undefined {
  for (const name of names) {
    const value = attributes[name]
    if (typeof value === 'string' && value.trim() !== '') return value.trim()
  }
  return undefined
}
