import { BLOCK_PREFIX as PREFIX } from './array-block.js'
import { CHECKSUM_BYTES as CHECKSUM, verifyChecksum } from './checksum.js'
import { countBytes, type Fields, type Hdf5File, MAX_BLOCK_BYTES } from './fields.js'

/** Record types read: 5 the links of a dense group (name hash, heap ID), 10 unfiltered dataset chunks. */
export type BtreeV2Type = 5 | 10

/** Levels of a version 2 B-tree: nodes hold many records, so real trees are a few levels deep. */
const MAX_DEPTH = 32

/**
 * Walks a version 2 B-tree (HDF5 File Format Specification, section III.A.2) in key order, calling
 * `record` with the fields of each record (`size` bytes). Header BTHD: type, node size, record size,
 * depth, split and merge percentages, root address, root record count, total records. Internal nodes
 * BTIN hold records and child pointers (address, record count, and below the first level the child's
 * total records, each count as many bytes as its largest value needs); leaves BTLF hold records. Every
 * node's signature, type and checksum are checked, counts against the node size, and no node is visited
 * twice; more than `limit` records in all is LIMIT_EXCEEDED, before any is read.
 */
export async function walkBtreeV2(
  file: Hdf5File,
  address: number,
  type: BtreeV2Type,
  record: (fields: Fields) => void,
  limit: number,
): Promise<void> {
  const O = file.offsetSize
  const header = await file.read(
    address,
    PREFIX + 4 + 2 + 2 + 2 + O + 2 + file.lengthSize + CHECKSUM,
    'B-tree v2 header',
  )
  header.expectSignature('BTHD', 'version 2 B-tree header')
  verifyChecksum(header, header.bytes.byteLength - CHECKSUM, 'version 2 B-tree header')
  const version = header.u8()
  if (version !== 0) throw header.fail('UNSUPPORTED_VERSION', `version 2 B-tree version ${version}`)
  if (header.u8() !== type)
    throw header.fail('CORRUPT_CHUNK', `a version 2 B-tree of another type than ${type}`)
  const nodeSize = header.u32()
  const recordSize = header.u16()
  const depth = header.u16()
  header.skip(2) // split and merge percentages
  const root = header.address()
  const rootRecords = header.u16()
  const total = header.length()
  if (total > limit)
    throw header.fail('LIMIT_EXCEEDED', `a version 2 B-tree of ${total} records (more than ${limit})`)
  if (depth > MAX_DEPTH || recordSize === 0 || nodeSize > MAX_BLOCK_BYTES)
    throw header.fail('CORRUPT_CHUNK', `a version 2 B-tree of depth ${depth}, nodes of ${nodeSize} bytes`)
  if (root === undefined || total === 0) return

  // Most records a node of each level holds, and the bytes of the counts pointing to it (libhdf5's
  // H5B2__hdr_init): a leaf holds what its size allows; an internal node also keeps child pointers.
  const maxRecords = [Math.floor((nodeSize - PREFIX - CHECKSUM) / recordSize)]
  const cumulative = [maxRecords[0]!]
  const cumulativeBytes = [0]
  const childCountBytes = countBytes(maxRecords[0]!)
  const pointerBytes = (level: number) => O + childCountBytes + (level > 1 ? cumulativeBytes[level - 1]! : 0)
  for (let level = 1; level <= depth; level++) {
    const pointer = pointerBytes(level)
    maxRecords.push(Math.floor((nodeSize - PREFIX - CHECKSUM - pointer) / (recordSize + pointer)))
    cumulative.push((maxRecords[level]! + 1) * cumulative[level - 1]! + maxRecords[level]!)
    cumulativeBytes.push(countBytes(cumulative[level]!))
  }
  let seen = 0
  const visited = new Set<number>()
  const visit = async (node: number, records: number, level: number): Promise<void> => {
    if (visited.has(node)) throw header.fail('CORRUPT_CHUNK', 'a version 2 B-tree node met twice')
    visited.add(node)
    if (!(records <= maxRecords[level]!) || seen + records > total)
      throw header.fail('CORRUPT_CHUNK', `a version 2 B-tree node of ${records} records`)
    const pointer = level > 0 ? pointerBytes(level) : 0
    const length = PREFIX + records * recordSize + (level > 0 ? (records + 1) * pointer : 0)
    const what = level > 0 ? 'version 2 B-tree internal node' : 'version 2 B-tree leaf'
    const fields = await file.read(node, length + CHECKSUM, what)
    fields.expectSignature(level > 0 ? 'BTIN' : 'BTLF', what)
    verifyChecksum(fields, length, what)
    fields.skip(1) // version
    if (fields.u8() !== type) throw fields.fail('CORRUPT_CHUNK', `a ${what} of another type`)
    const keys = fields.sub(records * recordSize)
    const children: { address: number; records: number }[] = []
    for (let i = 0; level > 0 && i <= records; i++) {
      const child = fields.address()
      const count = fields.uint(childCountBytes)
      if (level > 1) fields.skip(cumulativeBytes[level - 1]!)
      if (child === undefined) throw fields.fail('CORRUPT_CHUNK', `a ${what} child without an address`)
      children.push({ address: child, records: count })
    }
    for (let i = 0; i <= records; i++) {
      if (level > 0) await visit(children[i]!.address, children[i]!.records, level - 1)
      if (i < records) {
        seen++
        record(keys.sub(recordSize))
      }
    }
  }
  await visit(root, rootRecords, depth)
}
