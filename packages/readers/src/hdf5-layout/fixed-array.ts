import { BLOCK_PREFIX, CHECKSUM_BYTES, pageWritten, readAddresses, readArrayBlock } from './array-block.js'
import { verifyChecksum } from './checksum.js'
import type { Hdf5File } from './fields.js'

/** A page of 2^32 elements is beyond any file this reads (MAX_CHUNKS bounds the elements anyway). */
const MAX_PAGE_BITS = 32

/**
 * The `count` chunk addresses of a fixed array (chunk index type 3, for datasets whose maximum shape is
 * fixed). Header FAHD: signature, version, client, element size, page bits, element count (L bytes),
 * data block address (O), checksum. Data block FADB: signature, version, client, header address, then
 * either the elements and a checksum, or (more than 2^page bits elements) a bitmap of the pages written
 * and a checksum, followed by the pages, each its elements and a checksum. A page never written, or no
 * data block, gives undefined addresses.
 */
export async function readFixedArray(
  file: Hdf5File,
  address: number,
  count: number,
): Promise<(number | undefined)[]> {
  const O = file.offsetSize
  const header = await readArrayBlock(
    file,
    address,
    BLOCK_PREFIX + 2 + file.lengthSize + O + CHECKSUM_BYTES,
    'FAHD',
    'fixed array header',
  )
  const elementSize = header.u8()
  const pageBits = header.u8()
  const elements = header.length()
  const dataBlock = header.address()
  if (elementSize !== O)
    throw header.fail('CORRUPT_CHUNK', `fixed array elements of ${elementSize} bytes for ${O}-byte addresses`)
  if (pageBits > MAX_PAGE_BITS)
    throw header.fail('CORRUPT_CHUNK', `fixed array pages of 2^${pageBits} elements`)
  if (elements !== count)
    throw header.fail('CORRUPT_CHUNK', `a fixed array of ${elements} elements for ${count} chunks`)
  if (dataBlock === undefined) return new Array(count).fill(undefined)
  const addresses: (number | undefined)[] = []
  const pageElements = 2 ** pageBits
  const head = BLOCK_PREFIX + O
  if (count <= pageElements) {
    const block = await readArrayBlock(
      file,
      dataBlock,
      head + count * O + CHECKSUM_BYTES,
      'FADB',
      'fixed array data block',
      address,
    )
    readAddresses(block, count, addresses)
    return addresses
  }
  const pages = Math.ceil(count / pageElements)
  const bitmapBytes = Math.ceil(pages / 8)
  const blockBytes = head + bitmapBytes + CHECKSUM_BYTES
  const block = await readArrayBlock(file, dataBlock, blockBytes, 'FADB', 'fixed array data block', address)
  const bitmap = block.take(bitmapBytes)
  let pageAddress = dataBlock + blockBytes
  for (let page = 0; page < pages; page++) {
    const n = Math.min(pageElements, count - page * pageElements)
    const pageBytes = n * O + CHECKSUM_BYTES
    if (pageWritten(bitmap, page)) {
      const fields = await file.read(pageAddress, pageBytes, 'fixed array data block page')
      verifyChecksum(fields, n * O, 'fixed array data block page')
      readAddresses(fields, n, addresses)
    } else for (let i = 0; i < n; i++) addresses.push(undefined)
    pageAddress += pageBytes
  }
  return addresses
}
