import type { ByteSource } from '../byte-source.js'
import { type Hdf5Chunk, readChunks } from './chunks.js'
import { readDenseLinks } from './dense-links.js'
import { type Hdf5File, hdf5Error } from './fields.js'
import {
  type Hdf5Datatype,
  readDataspace,
  readDatatype,
  readFilterCount,
  readLayout,
  readLink,
  readLinkInfoDense,
  readSymbolTable,
} from './messages.js'
import { type HeaderMessage, MESSAGE, readObjectHeader, SHARED_MESSAGE } from './object-header.js'
import { readSuperblock } from './superblock.js'
import { type GroupLink, readSymbolTableLinks } from './symbol-table.js'

/** Where a dataset's data lie. Contiguous storage is given as absolute file offsets, not checked against
 *  the file (the data are not read): a caller that uses them checks them. */
export type Hdf5DatasetStorage =
  /** `offset` is undefined when no storage was allocated (nothing written yet, or no elements). */
  | { kind: 'contiguous'; offset: number | undefined; size: number }
  /** `chunks` are listed for unfiltered datasets, from a version 1 B-tree (layout message version 3) or
   *  any index of layout version 4 (single chunk, implicit, fixed array, extensible array, version 2
   *  B-tree). Not listed: filtered datasets, and datasets with a chunk never written (see `readChunks`). */
  | { kind: 'chunked'; chunks?: Hdf5Chunk[] }
  | { kind: 'compact' | 'virtual' }

export interface Hdf5Dataset {
  /** Absolute path, such as `/catalog/ra`; a dataset reachable by several links is reported once. */
  path: string
  datatype: Hdf5Datatype
  /** Dimensions (`[]` for a scalar); undefined for a null dataspace (no elements at all). */
  dims: number[] | undefined
  storage: Hdf5DatasetStorage
  /** Filters (compression, shuffle, ...) applied to the stored data; 0 when the bytes are the values. */
  filters: number
}

export interface Hdf5Layout {
  /** Absolute offset of the superblock (a user block may come before it). */
  superblockOffset: number
  superblockVersion: number
  datasets: Hdf5Dataset[]
  /** Groups and objects the locator does not read (shared messages, external files, ...), and why. */
  skipped: { path: string; reason: string }[]
}

/** Objects visited in one file: far beyond real catalogs' layouts; bounds a crafted file's work. */
export const MAX_OBJECTS = 100_000
/** Group nesting followed. */
export const MAX_GROUP_DEPTH = 64

function first(messages: HeaderMessage[], type: number): HeaderMessage | undefined {
  return messages.find((message) => message.type === type)
}

/**
 * Finds the datasets of an HDF5 file and where their data lie, reading only metadata: superblock
 * (versions 0-3), object headers (versions 1-2), and groups kept in symbol tables, link messages or
 * dense storage (fractal heap). Shared messages and external data are reported as skipped, never guessed at.
 * Throws AstropackError (BAD_MAGIC, TRUNCATED, CORRUPT_CHUNK, LIMIT_EXCEEDED, UNSUPPORTED_VERSION).
 */
export async function locateHdf5Datasets(source: ByteSource): Promise<Hdf5Layout> {
  const superblock = await readSuperblock(source)
  const { file } = superblock
  const layout: Hdf5Layout = {
    superblockOffset: superblock.offset,
    superblockVersion: superblock.version,
    datasets: [],
    skipped: [],
  }
  const visited = new Set<number>()
  const walk = async (address: number, path: string, depth: number): Promise<void> => {
    if (visited.has(address)) return // a second link to an object already seen (hard links may loop)
    if (visited.size >= MAX_OBJECTS)
      throw hdf5Error('LIMIT_EXCEEDED', file.base + address, `more than ${MAX_OBJECTS} objects`)
    visited.add(address)
    const messages = await readObjectHeader(file, address)
    const dataset = await describeDataset(file, messages, path)
    if (typeof dataset === 'string') layout.skipped.push({ path, reason: dataset })
    else if (dataset) layout.datasets.push(dataset)
    const links = await groupLinks(file, messages)
    if (typeof links === 'string') layout.skipped.push({ path, reason: links })
    else if (links.length > 0 && depth >= MAX_GROUP_DEPTH)
      layout.skipped.push({ path, reason: `groups nested more than ${MAX_GROUP_DEPTH} deep` })
    else {
      for (const link of links)
        await walk(link.address, `${path === '/' ? '' : path}/${link.name}`, depth + 1)
    }
  }
  await walk(superblock.rootAddress, '/', 0)
  return layout
}

/** The links of a group object (none for other objects), or why they are not read. */
async function groupLinks(file: Hdf5File, messages: HeaderMessage[]): Promise<GroupLink[] | string> {
  const symbolTable = first(messages, MESSAGE.symbolTable)
  if (symbolTable) return readSymbolTableLinks(file, readSymbolTable(symbolTable.data))
  const linkInfo = first(messages, MESSAGE.linkInfo)
  const dense = linkInfo && readLinkInfoDense(linkInfo.data)
  if (dense) return readDenseLinks(file, dense, MAX_OBJECTS)
  const links: GroupLink[] = []
  for (const message of messages) {
    if (message.type !== MESSAGE.link) continue
    const link = readLink(message.data)
    if (link.address !== undefined) links.push({ name: link.name, address: link.address })
  }
  return links
}

/** A dataset from its header messages; undefined for other objects; a reason when it cannot be read. */
async function describeDataset(
  file: Hdf5File,
  messages: HeaderMessage[],
  path: string,
): Promise<Hdf5Dataset | string | undefined> {
  const datatype = first(messages, MESSAGE.datatype)
  const layoutMessage = first(messages, MESSAGE.layout)
  if (!datatype || !layoutMessage) return undefined // a group, or a committed datatype
  const dataspace = first(messages, MESSAGE.dataspace)
  if (!dataspace) return 'a dataset without a dataspace message'
  if (first(messages, MESSAGE.externalFiles)) return 'data kept in external files'
  const filters = first(messages, MESSAGE.filterPipeline)
  for (const message of [datatype, dataspace, layoutMessage, filters]) {
    if (message && message.flags & SHARED_MESSAGE) return 'shared (committed) datatype or dataspace'
  }
  const type = readDatatype(datatype.data)
  const space = readDataspace(dataspace.data)
  const dims = space?.dims
  const stored = readLayout(layoutMessage.data)
  const filterCount = filters ? readFilterCount(filters.data) : 0
  let storage: Hdf5DatasetStorage
  if (stored.kind === 'contiguous') {
    const elements = dims === undefined ? 0 : dims.reduce((n, d) => n * d, 1)
    const size = stored.size ?? elements * type.size
    if (!Number.isSafeInteger(size)) return `storage of ${size} bytes`
    storage = {
      kind: 'contiguous',
      offset: stored.address === undefined ? undefined : file.base + stored.address,
      size,
    }
  } else if (stored.kind === 'chunked' && stored.layout && space && filterCount === 0) {
    const { elementSize } = stored.layout
    if (elementSize !== type.size) return `chunks of ${elementSize}-byte elements of a ${type.size}-byte type`
    const chunks = await readChunks(file, stored.layout, space)
    storage = chunks ? { kind: 'chunked', chunks } : { kind: 'chunked' }
  } else storage = { kind: stored.kind }
  return { path, datatype: type, dims, storage, filters: filterCount }
}
