import { verifyChecksum } from './checksum.js'
import type { Fields, Hdf5File } from './fields.js'
import { hdf5Error, latin1 } from './fields.js'

/** Header message types this locator reads (HDF5 File Format Specification, section IV.A.2). */
export const MESSAGE = {
  dataspace: 0x0001,
  linkInfo: 0x0002,
  datatype: 0x0003,
  link: 0x0006,
  externalFiles: 0x0007,
  layout: 0x0008,
  filterPipeline: 0x000b,
  continuation: 0x0010,
  symbolTable: 0x0011,
} as const

/** Message flag bit 1: the message is stored elsewhere (a shared message), its data here is a reference. */
export const SHARED_MESSAGE = 0x02

export interface HeaderMessage {
  type: number
  flags: number
  data: Fields
}

/** Continuation blocks followed per object header: far more than real files use; a cycle stops sooner. */
const MAX_HEADER_BLOCKS = 1024
/** Version 1 prefix: version, reserved, message count (2), reference count (4), header size (4), padding. */
const V1_PREFIX = 16
/** Version 2 prefix, at most: signature, version, flags, four times (16), two attribute limits (4), size (8). */
const V2_PREFIX_MAX = 4 + 1 + 1 + 16 + 4 + 8
const V2_CHECKSUM = 4
const V2_STORE_TIMES = 0x20
const V2_ATTRIBUTE_LIMITS = 0x10
const V2_CREATION_ORDER = 0x04

/**
 * Reads every message of the object header at `address` (versions 1 and 2), following continuation
 * messages into further blocks. Messages are views on the blocks read; their sizes are checked.
 */
export async function readObjectHeader(file: Hdf5File, address: number): Promise<HeaderMessage[]> {
  const start = file.absolute(address, 1, 'object header')
  const head = await file.read(address, Math.min(V2_PREFIX_MAX, file.size - start), 'object header prefix')
  const messages: HeaderMessage[] = []
  const pending: { address: number; length: number }[] = []
  let version: 1 | 2
  // Continuation blocks of a version 2 header hold messages in the same form (creation order or not).
  let headerFlags = 0
  if (latin1(head.bytes.subarray(0, 4)) === 'OHDR') {
    version = 2
    head.skip(4)
    if (head.u8() !== 2) throw head.fail('UNSUPPORTED_VERSION', `object header version ${head.bytes[4]}`)
    headerFlags = head.u8()
    if (headerFlags & V2_STORE_TIMES) head.skip(16)
    if (headerFlags & V2_ATTRIBUTE_LIMITS) head.skip(4)
    const chunkSize = head.uint(1 << (headerFlags & 3))
    // The checksum covers the prefix too: the chunk is read whole, its messages start after the prefix.
    const prefix = head.at
    const block = await file.read(address, prefix + chunkSize + V2_CHECKSUM, 'object header chunk')
    verifyChecksum(block, prefix + chunkSize, 'object header')
    block.at = prefix
    readMessagesV2(block, prefix + chunkSize, headerFlags, messages, pending)
  } else {
    version = 1
    if (head.bytes.byteLength < V1_PREFIX) throw head.fail('TRUNCATED', 'the object header is cut short')
    const v = head.u8()
    if (v !== 1)
      throw hdf5Error('UNSUPPORTED_VERSION', start, `object header version ${v} (no OHDR signature)`)
    head.skip(1 + 2 + 4) // reserved, message count, reference count
    const headerSize = head.u32()
    const block = await file.read(address + V1_PREFIX, headerSize, 'object header messages')
    readMessagesV1(block, messages, pending)
  }
  const seen = new Set<number>([address])
  for (let blocks = 0; pending.length > 0; blocks++) {
    const next = pending.shift()!
    if (seen.has(next.address))
      throw hdf5Error('CORRUPT_CHUNK', start, 'an object header continues into itself')
    if (blocks >= MAX_HEADER_BLOCKS)
      throw hdf5Error(
        'LIMIT_EXCEEDED',
        start,
        `more than ${MAX_HEADER_BLOCKS} object header continuation blocks`,
      )
    seen.add(next.address)
    const block = await file.read(next.address, next.length, 'object header continuation block')
    if (version === 1) readMessagesV1(block, messages, pending)
    else {
      block.expectSignature('OCHK', 'object header continuation block')
      verifyChecksum(block, next.length - V2_CHECKSUM, 'object header continuation block')
      readMessagesV2(block, next.length - V2_CHECKSUM, headerFlags, messages, pending)
    }
  }
  return messages
}

function continuation(data: Fields, pending: { address: number; length: number }[]): void {
  const address = data.address()
  const length = data.length()
  if (address === undefined) throw data.fail('CORRUPT_CHUNK', 'a continuation message without an address')
  pending.push({ address, length })
}

/** Version 1 messages: type (2), size (2), flags (1), reserved (3), data; each 8-byte aligned. */
function readMessagesV1(
  block: Fields,
  messages: HeaderMessage[],
  pending: { address: number; length: number }[],
) {
  while (block.remaining >= 8) {
    const type = block.u16()
    const size = block.u16()
    const flags = block.u8()
    block.skip(3)
    const data = block.sub(size)
    if (type === MESSAGE.continuation) continuation(data, pending)
    else messages.push({ type, flags, data })
  }
}

/**
 * Version 2 messages: type (1), size (2), flags (1), creation order (2, when the header tracks it), data;
 * they fill `end` bytes of the block (a gap smaller than a message prefix may close it).
 */
function readMessagesV2(
  block: Fields,
  end: number,
  headerFlags: number,
  messages: HeaderMessage[],
  pending: { address: number; length: number }[],
) {
  const orderBytes = headerFlags & V2_CREATION_ORDER ? 2 : 0
  if (end > block.bytes.byteLength)
    throw block.fail('CORRUPT_CHUNK', 'an object header chunk larger than its block')
  while (end - block.at >= 4 + orderBytes) {
    const type = block.u8()
    const size = block.u16()
    const flags = block.u8()
    block.skip(orderBytes)
    if (size > end - block.at)
      throw block.fail('CORRUPT_CHUNK', `a header message of ${size} bytes overruns its chunk`)
    const data = block.sub(size)
    if (type === MESSAGE.continuation) continuation(data, pending)
    else messages.push({ type, flags, data })
  }
}
