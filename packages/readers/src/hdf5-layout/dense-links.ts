import { isAstropackError } from '@astropack/codecs'
import { walkBtreeV2 } from './btree-v2.js'
import type { Fields, Hdf5File } from './fields.js'
import { FractalHeap } from './fractal-heap.js'
import { readLink } from './messages.js'
import type { GroupLink } from './symbol-table.js'

/**
 * The hard links of a group kept dense (more than 8 links, written with libver='latest'): link messages
 * in a fractal heap, found through the version 2 B-tree of their names' hashes (records of type 5: hash,
 * heap ID). Sorted by name, the order libhdf5 lists them in. A heap this does not read (tiny or huge
 * objects, filters) gives the reason instead, and the group is skipped.
 */
export async function readDenseLinks(
  file: Hdf5File,
  dense: { heap: number; names: number },
  limit: number,
): Promise<GroupLink[] | string> {
  try {
    const heap = await FractalHeap.open(file, dense.heap)
    const ids: Fields[] = []
    await walkBtreeV2(
      file,
      dense.names,
      5,
      (record) => {
        record.skip(4) // the name's hash
        ids.push(record.sub(record.remaining))
      },
      limit,
    )
    const links: GroupLink[] = []
    for (const id of ids) {
      const link = readLink(await heap.object(id))
      if (link.address !== undefined) links.push({ name: link.name, address: link.address })
    }
    return links.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  } catch (error) {
    if (isAstropackError(error) && error.code === 'UNSUPPORTED_FEATURE')
      return `dense links: ${error.message}`
    throw error
  }
}
