import { walkBtreeV1 } from './btree-v1.js'
import type { Fields, Hdf5File } from './fields.js'

export interface GroupLink {
  name: string
  /** Object header address (relative to the base address). */
  address: number
}

/** Symbol table nodes hold at most 2 × the group leaf K (≤ 2^15) entries. */
const MAX_NODE_SYMBOLS = 2 ** 16

/**
 * The links of an old-style group: a version 1 B-tree (node type 0) whose leaves point to symbol table
 * nodes, whose entries name objects by an offset into the group's local heap.
 */
export async function readSymbolTableLinks(
  file: Hdf5File,
  table: { btree: number; heap: number },
): Promise<GroupLink[]> {
  const names = await readLocalHeap(file, table.heap)
  const links: GroupLink[] = []
  // A group B-tree key is the heap offset of a link name (L bytes); its leaves are symbol table nodes.
  await walkBtreeV1(file, table.btree, 0, file.lengthSize, (_key, child) =>
    readSymbolNode(file, child, names, links),
  )
  return links
}

/** The local heap's data segment, where link names are kept NUL-terminated. */
async function readLocalHeap(file: Hdf5File, address: number): Promise<Fields> {
  const head = await file.read(address, 8 + 2 * file.lengthSize + file.offsetSize, 'local heap')
  head.expectSignature('HEAP', 'local heap')
  const version = head.u8()
  if (version !== 0) throw head.fail('UNSUPPORTED_VERSION', `local heap version ${version}`)
  head.skip(3)
  const size = head.length()
  head.length() // offset of the free list
  const data = head.address()
  if (data === undefined) throw head.fail('CORRUPT_CHUNK', 'a local heap without a data segment')
  return file.read(data, size, 'local heap data segment')
}

/** Symbol table node: signature, version 1, reserved, symbol count, then entries of 2 O + 24 bytes. */
async function readSymbolNode(file: Hdf5File, address: number, names: Fields, links: GroupLink[]) {
  const O = file.offsetSize
  const head = await file.read(address, 8, 'symbol table node')
  head.expectSignature('SNOD', 'symbol table node')
  const version = head.u8()
  if (version !== 1) throw head.fail('UNSUPPORTED_VERSION', `symbol table node version ${version}`)
  head.skip(1)
  const count = head.u16()
  if (count > MAX_NODE_SYMBOLS) throw head.fail('LIMIT_EXCEEDED', `a symbol table node of ${count} entries`)
  const entries = await file.read(address + 8, count * (2 * O + 24), 'symbol table entries')
  for (let i = 0; i < count; i++) {
    const nameOffset = entries.uint(O)
    const objectAddress = entries.address()
    entries.skip(4 + 4 + 16) // cache type, reserved, scratch pad
    if (nameOffset >= names.bytes.byteLength)
      throw entries.fail('CORRUPT_CHUNK', `a link name at heap offset ${nameOffset}`)
    names.at = nameOffset
    const name = names.cstring()
    if (objectAddress !== undefined) links.push({ name, address: objectAddress })
  }
}
