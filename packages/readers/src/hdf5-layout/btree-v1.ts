import { type Fields, type Hdf5File, hdf5Error } from './fields.js'

/** Version 1 B-tree nodes hold at most 2K entries; libhdf5's K is at most 2^15. */
const MAX_NODE_ENTRIES = 2 ** 16
/** B-tree levels: 2^16 entries per node make a handful enough for any file. */
export const MAX_BTREE_LEVEL = 32

/** Node type 0 indexes a group's symbol table nodes, type 1 a dataset's raw data chunks. */
export type BtreeV1NodeType = 0 | 1

/**
 * Walks a version 1 B-tree from its root, calling `leaf` with each child of a level 0 node and the key
 * before it (`keySize` bytes). A node met twice (a cycle or a shared subtree) or a level that does not
 * go down by one from parent to child is CORRUPT_CHUNK; a level above MAX_BTREE_LEVEL too.
 */
export async function walkBtreeV1(
  file: Hdf5File,
  root: number,
  nodeType: BtreeV1NodeType,
  keySize: number,
  leaf: (key: Fields, child: number) => void | Promise<void>,
): Promise<void> {
  const O = file.offsetSize
  const what = nodeType === 0 ? 'group B-tree node' : 'chunk B-tree node'
  const seen = new Set<number>()
  const visit = async (address: number, expectedLevel: number | undefined): Promise<void> => {
    if (seen.has(address)) throw hdf5Error('CORRUPT_CHUNK', file.base + address, 'a B-tree node met twice')
    seen.add(address)
    // Signature, node type, level, entries used, left and right sibling addresses.
    const head = await file.read(address, 8 + 2 * O, what)
    head.expectSignature('TREE', what)
    const type = head.u8()
    const level = head.u8()
    const entries = head.u16()
    if (type !== nodeType)
      throw head.fail('CORRUPT_CHUNK', `B-tree node type ${type} where ${nodeType} belongs`)
    if (level > MAX_BTREE_LEVEL || (expectedLevel !== undefined && level !== expectedLevel))
      throw head.fail('CORRUPT_CHUNK', `B-tree node level ${level}`)
    if (entries > MAX_NODE_ENTRIES) throw head.fail('LIMIT_EXCEEDED', `a B-tree node of ${entries} entries`)
    // Keys and children alternate: key, child, key, ..., child, key.
    const body = await file.read(address + 8 + 2 * O, entries * (keySize + O) + keySize, `${what} entries`)
    for (let i = 0; i < entries; i++) {
      const key = body.sub(keySize)
      const child = body.address()
      if (child === undefined) throw body.fail('CORRUPT_CHUNK', 'a B-tree child without an address')
      if (level > 0) await visit(child, level - 1)
      else await leaf(key, child)
    }
  }
  await visit(root, undefined)
}
