import { BLOCK_PREFIX, CHECKSUM_BYTES, pageWritten, readAddresses, readArrayBlock } from './array-block.js'
import { verifyChecksum } from './checksum.js'
import { type Hdf5File, isPowerOfTwo } from './fields.js'

/** Creation parameters of an extensible array, from its header. */
interface Parameters {
  /** log2 of the most elements the array may hold. */
  elementBits: number
  indexElements: number
  /** Elements of each data block of super block 0 (a power of two). */
  blockElements: number
  /** Data block addresses kept in the index block for the first super blocks (a power of two). */
  blockPointers: number
  pageElements: number
}

/**
 * The first `count` chunk addresses of an extensible array (chunk index type 4, for datasets with one
 * unlimited dimension). Elements are laid out in this order: a few in the index block, then data blocks
 * grouped in super blocks, super block u holding 2^floor(u/2) data blocks of 2^ceil(u/2) x `blockElements`
 * elements. The index block holds the addresses of the first super blocks' data blocks and then of the
 * other super blocks, which each list their data blocks. Data blocks larger than a page are paged, their
 * super block keeping a bitmap of the pages written. Blocks and pages never written give undefined.
 */
export async function readExtensibleArray(
  file: Hdf5File,
  address: number,
  count: number,
): Promise<(number | undefined)[]> {
  const O = file.offsetSize
  const header = await readArrayBlock(
    file,
    address,
    BLOCK_PREFIX + 6 + 6 * file.lengthSize + O + CHECKSUM_BYTES,
    'EAHD',
    'extensible array header',
  )
  const elementSize = header.u8()
  const p: Parameters = {
    elementBits: header.u8(),
    indexElements: header.u8(),
    blockElements: header.u8(),
    blockPointers: header.u8(),
    pageElements: 2 ** header.u8(),
  }
  header.skip(6 * file.lengthSize) // statistics: block counts and sizes, elements set and realized
  const indexBlock = header.address()
  if (elementSize !== O)
    throw header.fail(
      'CORRUPT_CHUNK',
      `extensible array elements of ${elementSize} bytes for ${O}-byte addresses`,
    )
  const blockBits = Math.log2(p.blockElements)
  if (
    !isPowerOfTwo(p.blockElements) ||
    !isPowerOfTwo(p.blockPointers) ||
    p.elementBits > 64 ||
    blockBits > p.elementBits ||
    p.pageElements > 2 ** p.elementBits
  )
    throw header.fail('CORRUPT_CHUNK', `extensible array parameters ${JSON.stringify(p)}`)
  if (indexBlock === undefined) return new Array(count).fill(undefined)

  const superBlocks = 1 + p.elementBits - blockBits
  // Super blocks whose data block addresses sit in the index block, and how many addresses that is.
  const directSuperBlocks = 2 * Math.log2(p.blockPointers)
  const directBlocks = 2 * (p.blockPointers - 1)
  const superBlockAddresses = Math.max(0, superBlocks - directSuperBlocks)
  const index = await readArrayBlock(
    file,
    indexBlock,
    BLOCK_PREFIX + O + (p.indexElements + directBlocks + superBlockAddresses) * O + CHECKSUM_BYTES,
    'EAIB',
    'extensible array index block',
    address,
  )
  const addresses: (number | undefined)[] = []
  const inIndex = Math.min(p.indexElements, count)
  readAddresses(index, inIndex, addresses)
  index.skip((p.indexElements - inIndex) * O)
  const blocks: (number | undefined)[] = []
  readAddresses(index, directBlocks, blocks)
  const supers: (number | undefined)[] = []
  readAddresses(index, superBlockAddresses, supers)

  const reader = new BlockReader(file, address, p, count, addresses)
  let nextBlock = 0
  for (let u = 0; addresses.length < count; u++) {
    if (u >= superBlocks)
      throw index.fail('CORRUPT_CHUNK', `more than the ${superBlocks} super blocks of this extensible array`)
    const dataBlocks = 2 ** Math.floor(u / 2)
    const elements = 2 ** Math.ceil(u / 2) * p.blockElements
    const pages = elements > p.pageElements ? elements / p.pageElements : 0
    if (u < directSuperBlocks) {
      if (pages > 0)
        throw index.fail('UNSUPPORTED_FEATURE', 'paged data blocks listed in an extensible array index block')
      for (let b = 0; b < dataBlocks; b++) await reader.dataBlock(blocks[nextBlock++], elements)
      continue
    }
    const superBlock = supers[u - directSuperBlocks]
    if (superBlock === undefined) {
      reader.unwritten(dataBlocks * elements)
      continue
    }
    // libhdf5 sizes the bitmap at whole bytes per data block, but numbers the bits without gaps.
    const bitmapBytes = dataBlocks * Math.ceil(pages / 8)
    const fields = await readArrayBlock(
      file,
      superBlock,
      BLOCK_PREFIX + O + reader.offsetBytes + bitmapBytes + dataBlocks * O + CHECKSUM_BYTES,
      'EASB',
      'extensible array super block',
      address,
    )
    fields.skip(reader.offsetBytes)
    const bitmap = fields.take(bitmapBytes)
    const dataBlockAddresses: (number | undefined)[] = []
    readAddresses(fields, dataBlocks, dataBlockAddresses)
    for (let b = 0; b < dataBlocks; b++)
      await reader.dataBlock(
        dataBlockAddresses[b],
        elements,
        pages > 0 ? { bitmap, first: b * pages } : undefined,
      )
  }
  return addresses
}

/** Reads data blocks into `addresses`, stopping at `count`. */
class BlockReader {
  /** Bytes of the block offset field (as many as hold 2^elementBits). The field is skipped: libhdf5 1.10
   *  records data blocks listed in the index block at offsets that are not theirs, and the order of the
   *  blocks alone places their elements. */
  readonly offsetBytes: number

  constructor(
    readonly file: Hdf5File,
    readonly header: number,
    readonly p: Parameters,
    readonly count: number,
    readonly addresses: (number | undefined)[],
  ) {
    this.offsetBytes = Math.ceil(p.elementBits / 8)
  }

  unwritten(elements: number): void {
    for (let n = Math.min(elements, this.count - this.addresses.length); n > 0; n--)
      this.addresses.push(undefined)
  }

  /** A data block of `elements`; `pages` gives its super block's page bitmap and its first page's bit. */
  async dataBlock(
    address: number | undefined,
    elements: number,
    pages?: { bitmap: Uint8Array; first: number },
  ): Promise<void> {
    if (address === undefined || this.addresses.length >= this.count) return this.unwritten(elements)
    const { file, addresses } = this
    const O = file.offsetSize
    const head = BLOCK_PREFIX + O + this.offsetBytes
    const what = 'extensible array data block'
    if (!pages) {
      const block = await readArrayBlock(
        file,
        address,
        head + elements * O + CHECKSUM_BYTES,
        'EADB',
        what,
        this.header,
      )
      block.skip(this.offsetBytes)
      readAddresses(block, Math.min(elements, this.count - addresses.length), addresses)
      return
    }
    // A paged data block: its prefix has a checksum of its own, the pages follow, each with its checksum.
    await readArrayBlock(file, address, head + CHECKSUM_BYTES, 'EADB', what, this.header)
    const pageElements = this.p.pageElements
    const pageBytes = pageElements * O + CHECKSUM_BYTES
    for (let page = 0; page * pageElements < elements && addresses.length < this.count; page++) {
      if (!pageWritten(pages.bitmap, pages.first + page)) {
        this.unwritten(pageElements)
        continue
      }
      const at = address + head + CHECKSUM_BYTES + page * pageBytes
      const fields = await file.read(at, pageBytes, `${what} page`)
      verifyChecksum(fields, pageElements * O, `${what} page`)
      readAddresses(fields, Math.min(pageElements, this.count - addresses.length), addresses)
    }
  }
}
