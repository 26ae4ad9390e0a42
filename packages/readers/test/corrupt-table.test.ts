import { isAstropackError } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
import { bytesSource, readTableColumns, scanFits } from '../src/index.js'
import {
  bigEndian,
  binTableFile,
  type CardSpec,
  concat,
  emptyPrimary,
  header,
  padded,
} from './helpers/build-fits.js'

/** Runs `action` and returns the typed error's code and message; fails on success or on an untyped error. */
async function failure(action: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await action()
  } catch (error) {
    if (!isAstropackError(error)) throw error
    return { code: error.code, message: error.message }
  }
  throw new Error('expected a typed error')
}

const scan = (bytes: Uint8Array, strict = false) => scanFits(bytesSource(bytes), { strict })

describe('broken binary tables', () => {
  const source = (bytes: Uint8Array) => bytesSource(bytes)
  async function tableError(bytes: Uint8Array) {
    const result = await scan(bytes)
    return failure(() => readTableColumns(source(bytes), result.hdus[1]!))
  }

  it('NAXIS1 smaller than the columns gives CORRUPT_CHUNK naming NAXIS1', async () => {
    const bytes = binTableFile([{ form: '1D' }, { form: '2J' }], new Uint8Array(24), {
      rowBytes: 12,
      rowCount: 2,
    })
    const error = await tableError(bytes)
    expect(error.code).toBe('CORRUPT_CHUNK')
    expect(error.message).toMatch(
      /HDU 1, keyword NAXIS1, byte \d+: columns need 16 bytes per row but NAXIS1 is 12/,
    )
  })

  it.each([
    ['unknown type', '3Z', 'CORRUPT_CHUNK'],
    ['junk after a numeric type', '2E15.7', 'CORRUPT_CHUNK'],
    ['descriptor repeat 2', '2PE', 'CORRUPT_CHUNK'],
    ['repeat beyond 2^53', '99999999999999999999D', 'LIMIT_EXCEEDED'],
  ])('TFORM with %s', async (_, form, code) => {
    const error = await tableError(binTableFile([{ form }], new Uint8Array(8), { rowBytes: 8, rowCount: 1 }))
    expect(error.code).toBe(code)
    expect(error.message).toMatch(/keyword TFORM1/)
  })

  it('TFIELDS above 999 gives LIMIT_EXCEEDED, a missing TFORM CORRUPT_CHUNK', async () => {
    const many = binTableFile([], new Uint8Array(0), { rowBytes: 0, rowCount: 0, fields: 5000 })
    expect((await tableError(many)).code).toBe('LIMIT_EXCEEDED')
    const missing = binTableFile([], new Uint8Array(0), { rowBytes: 0, rowCount: 0, fields: 1 })
    expect((await tableError(missing)).message).toMatch(/keyword TFORM1/)
  })

  it('THEAP outside the data gives CORRUPT_CHUNK', async () => {
    const bytes = binTableFile([{ form: 'PE' }], new Uint8Array(8), {
      rowBytes: 8,
      rowCount: 1,
      extra: [['THEAP', 100]],
    })
    expect((await tableError(bytes)).message).toMatch(/keyword THEAP/)
  })

  const heap = bigEndian(16, (view) => {
    for (let i = 0; i < 4; i++) view.setFloat32(i * 4, i + 0.5)
  })
  const descriptor = (count: number, offset: number) =>
    bigEndian(8, (view) => {
      view.setUint32(0, count)
      view.setUint32(4, offset)
    })

  it('reads a heap array inside the heap', async () => {
    const bytes = binTableFile([{ form: '1PE(4)' }], descriptor(3, 4), { rowBytes: 8, rowCount: 1, heap })
    const result = await scan(bytes)
    const [column] = await readTableColumns(source(bytes), result.hdus[1]!)
    expect(Array.from(column!.values as Float32Array)).toEqual([1.5, 2.5, 3.5])
    expect(Array.from(column!.offsets!)).toEqual([0, 3])
  })

  it.each([
    ['offset past the heap', descriptor(1, 16)],
    ['array running past the heap', descriptor(4, 4)],
    ['count of 2^31 elements', descriptor(2 ** 31, 0)],
    ['offset of 2^32 - 1', descriptor(1, 2 ** 32 - 1)],
  ])('heap pointer with %s gives CORRUPT_CHUNK', async (_, row) => {
    const bytes = binTableFile([{ form: '1PE(4)', name: 'spectrum' }], row, {
      rowBytes: 8,
      rowCount: 1,
      heap,
    })
    const error = await tableError(bytes)
    expect(error.code).toBe('CORRUPT_CHUNK')
    expect(error.message).toMatch(/HDU 1, keyword TFORM1, byte 5760: row 0 of column spectrum/)
  })

  it('rows sharing one heap array cannot make a batch gather more than 1 GiB', async () => {
    const rows = 2000
    const descriptors = new Uint8Array(rows * 8)
    const view = new DataView(descriptors.buffer)
    for (let r = 0; r < rows; r++) view.setUint32(r * 8, 100_000)
    const bytes = binTableFile([{ form: '1PD' }], descriptors, {
      rowBytes: 8,
      rowCount: rows,
      heap: new Uint8Array(800_000),
    })
    const error = await tableError(bytes)
    expect(error.code).toBe('LIMIT_EXCEEDED')
    expect(error.message).toMatch(/read fewer rows/)
  })

  it('a Q descriptor beyond 2^53 gives LIMIT_EXCEEDED', async () => {
    const row = bigEndian(16, (view) => {
      view.setUint32(0, 1)
      view.setUint32(4, 1)
      view.setUint32(8, 0x00400000)
    })
    const error = await tableError(binTableFile([{ form: '1QE' }], row, { rowBytes: 16, rowCount: 1, heap }))
    expect(error.code).toBe('LIMIT_EXCEEDED')
  })
})

describe('broken ASCII tables', () => {
  it('a field past the end of the row gives CORRUPT_CHUNK naming TBCOL', async () => {
    const cards: CardSpec[] = [
      ['XTENSION', 'TABLE'],
      ['BITPIX', 8],
      ['NAXIS', 2],
      ['NAXIS1', 10],
      ['NAXIS2', 1],
      ['PCOUNT', 0],
      ['GCOUNT', 1],
      ['TFIELDS', 1],
      ['TFORM1', 'F8.2'],
      ['TBCOL1', 5],
    ]
    const bytes = concat(
      header(emptyPrimary),
      header(cards),
      padded(new TextEncoder().encode('1234567890'), 32),
    )
    const result = await scan(bytes)
    const error = await failure(() => readTableColumns(bytesSource(bytes), result.hdus[1]!))
    expect(error.code).toBe('CORRUPT_CHUNK')
    expect(error.message).toMatch(/keyword TBCOL1/)
  })
})
