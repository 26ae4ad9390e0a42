import { CHECKSUM_BYTES as CHECKSUM, lookup3, verifyChecksum } from './checksum.js'
import { countBytes, type Fields, type Hdf5File, hdf5Error, isPowerOfTwo } from './fields.js'

/** Header flag bit 1: direct blocks carry a checksum. */
const CHECKSUMMED_DIRECT_BLOCKS = 0x02
/** Indirect blocks nest at most once per row of the doubling table: far fewer than this. */
const MAX_NESTING = 64

/**
 * A fractal heap (HDF5 File Format Specification, section III.G), as dense groups keep their link
 * messages: objects are found by heap ID in direct blocks, reached from the root through indirect blocks
 * laid out as a doubling table (`width` blocks a row; rows 0 and 1 of the starting block size, each
 * further row twice the one before). Managed objects only: tiny and huge objects and filtered heaps are
 * UNSUPPORTED_FEATURE.
 */
export class FractalHeap {
  /**
   * Blocks read and checked, by address and heap offset (a block found at another offset is checked
   * again, and fails): a dense group's links all pass through the same indirect and direct blocks.
   */
  private readonly blocks = new Map<string, Fields>()

  private constructor(
    readonly file: Hdf5File,
    readonly address: number,
    readonly flags: number,
    readonly width: number,
    readonly startBlock: number,
    readonly maxDirectRows: number,
    readonly offsetBytes: number,
    readonly lengthBytes: number,
    readonly root: number | undefined,
    readonly rootRows: number,
  ) {}

  static async open(file: Hdf5File, address: number): Promise<FractalHeap> {
    const O = file.offsetSize
    const L = file.lengthSize
    const length = 4 + 1 + 2 + 2 + 1 + 4 + 12 * L + 3 * O + 4 * 2 + CHECKSUM
    // Without filters; with them the header is longer, and the heap is refused below anyway.
    const header = await file.read(address, length, 'fractal heap header')
    header.expectSignature('FRHP', 'fractal heap header')
    header.skip(1 + 2) // version, heap ID length
    const filters = header.u16()
    if (filters > 0) throw header.fail('UNSUPPORTED_FEATURE', 'a fractal heap with I/O filters')
    verifyChecksum(header, length - CHECKSUM, 'fractal heap header')
    const flags = header.u8()
    const maxManaged = header.u32()
    header.skip(L + O + L + O + 8 * L) // huge objects, free space, statistics
    const width = header.u16()
    const startBlock = header.length()
    const maxDirect = header.length()
    const heapBits = header.u16()
    header.skip(2) // starting rows of the root indirect block
    const root = header.address()
    const rootRows = header.u16()
    if (![width, startBlock, maxDirect].every(isPowerOfTwo) || maxDirect < startBlock || heapBits > 64)
      throw header.fail('CORRUPT_CHUNK', 'a fractal heap of impossible block sizes')
    const maxDirectRows = Math.log2(maxDirect) - Math.log2(startBlock) + 2
    const offsetBytes = Math.ceil(heapBits / 8)
    const lengthBytes = Math.min(Math.ceil(Math.log2(maxDirect) / 8), countBytes(maxManaged))
    return new FractalHeap(
      file,
      address,
      flags,
      width,
      startBlock,
      maxDirectRows,
      offsetBytes,
      lengthBytes,
      root,
      rootRows,
    )
  }

  private rowBlockSize(row: number): number {
    return row === 0 ? this.startBlock : this.startBlock * 2 ** (row - 1)
  }

  /** The object a managed heap ID names: version 0, type 0, then its heap offset and length. */
  async object(id: Fields): Promise<Fields> {
    const kind = id.u8()
    if (kind >> 6 !== 0) throw id.fail('UNSUPPORTED_VERSION', `heap ID version ${kind >> 6}`)
    if ((kind >> 4) & 3) throw id.fail('UNSUPPORTED_FEATURE', 'a tiny or huge fractal heap object')
    const offset = id.uint(this.offsetBytes)
    const length = id.uint(this.lengthBytes)
    if (this.root === undefined) throw id.fail('CORRUPT_CHUNK', 'an object in an empty fractal heap')
    const { block, start } =
      this.rootRows === 0
        ? { block: await this.directBlock(this.root, this.startBlock, 0), start: 0 }
        : await this.find(this.root, this.rootRows, 0, offset, 0)
    const at = offset - start
    if (at < this.directHeaderBytes() || at + length > block.bytes.byteLength)
      throw id.fail('CORRUPT_CHUNK', `a heap object of ${length} bytes at ${offset} outside its block`)
    block.at = at
    return block.sub(length)
  }

  private directHeaderBytes(): number {
    const checksum = this.flags & CHECKSUMMED_DIRECT_BLOCKS ? CHECKSUM : 0
    return 4 + 1 + this.file.offsetSize + this.offsetBytes + checksum
  }

  /** The direct block holding heap offset `offset`, under the indirect block at `address`. */
  private async find(
    address: number,
    rows: number,
    blockOffset: number,
    offset: number,
    depth: number,
  ): Promise<{ block: Fields; start: number }> {
    const O = this.file.offsetSize
    if (depth > MAX_NESTING || rows > 64)
      throw hdf5Error(
        'CORRUPT_CHUNK',
        this.file.base + address,
        'fractal heap indirect blocks nested too deep',
      )
    const prefix = 4 + 1 + O + this.offsetBytes
    const length = prefix + rows * this.width * O
    const key = `${address}:${blockOffset}:${rows}`
    let block = this.blocks.get(key)
    if (!block) {
      block = await this.file.read(address, length + CHECKSUM, 'fractal heap indirect block')
      block.expectSignature('FHIB', 'fractal heap indirect block')
      verifyChecksum(block, length, 'fractal heap indirect block')
      this.checkBlock(block, blockOffset, 'indirect')
      this.blocks.set(key, block)
    }
    let start = blockOffset
    for (let row = 0; row < rows; row++) {
      const size = this.rowBlockSize(row)
      if (offset >= start + this.width * size) {
        start += this.width * size
        continue
      }
      const column = Math.floor((offset - start) / size)
      block.at = prefix + (row * this.width + column) * O
      const child = block.address()
      const childStart = start + column * size
      if (child === undefined) throw block.fail('CORRUPT_CHUNK', `no fractal heap block for offset ${offset}`)
      if (row < this.maxDirectRows)
        return { block: await this.directBlock(child, size, childStart), start: childStart }
      const childRows = Math.log2(size) - Math.log2(this.startBlock) - Math.log2(this.width) + 1
      return this.find(child, childRows, childStart, offset, depth + 1)
    }
    throw block.fail('CORRUPT_CHUNK', `heap offset ${offset} beyond the fractal heap`)
  }

  private checkBlock(block: Fields, blockOffset: number, kind: string): void {
    const version = block.u8()
    if (version !== 0)
      throw block.fail('UNSUPPORTED_VERSION', `fractal heap ${kind} block version ${version}`)
    if (block.address() !== this.address) throw block.fail('CORRUPT_CHUNK', `a ${kind} block of another heap`)
    const stored = block.uint(this.offsetBytes)
    if (stored !== blockOffset)
      throw block.fail(
        'CORRUPT_CHUNK',
        `a ${kind} block at heap offset ${stored} where ${blockOffset} belongs`,
      )
  }

  private async directBlock(address: number, size: number, blockOffset: number): Promise<Fields> {
    const key = `${address}:${blockOffset}`
    const cached = this.blocks.get(key)
    if (cached) return cached
    const block = await this.file.read(address, size, 'fractal heap direct block')
    block.expectSignature('FHDB', 'fractal heap direct block')
    this.checkBlock(block, blockOffset, 'direct')
    if (this.flags & CHECKSUMMED_DIRECT_BLOCKS) {
      // The checksum covers the whole block, its own field counted as zeros.
      const field = block.at
      const stored = block.u32()
      const copy = block.bytes.slice()
      copy.fill(0, field, field + CHECKSUM)
      if (lookup3(copy) !== stored)
        throw hdf5Error(
          'CHECKSUM_MISMATCH',
          block.fileOffset,
          'the fractal heap direct block fails its checksum',
        )
    }
    this.blocks.set(key, block)
    return block
  }
}
