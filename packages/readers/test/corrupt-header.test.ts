import { isAstropackError } from '@astropack/codecs'
import { describe, expect, it } from 'vitest'
import { bytesSource, readImage, readTableColumns, scanFits } from '../src/index.js'
import { binTableFile, type CardSpec, concat, emptyPrimary, header, padded } from './helpers/build-fits.js'

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

function image(cards: CardSpec[], data = new Uint8Array(0)): Uint8Array {
  return concat(header(cards), padded(data))
}

describe('not FITS', () => {
  it.each([
    ['empty', new Uint8Array(0)],
    ['short', new TextEncoder().encode('SIMPLE')],
    ['text', new TextEncoder().encode('hello world, this is not a FITS file at all '.repeat(100))],
    ['PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(3000).fill(0)])],
    ['zeros', new Uint8Array(5760)],
  ])('%s gives BAD_MAGIC', async (_, bytes) => {
    expect((await failure(() => scan(bytes))).code).toBe('BAD_MAGIC')
  })

  it('SIMPLE without a logical value gives BAD_MAGIC', async () => {
    expect(
      (
        await failure(() =>
          scan(
            image([
              ['SIMPLE', 1],
              ['BITPIX', 8],
              ['NAXIS', 0],
            ]),
          ),
        )
      ).code,
    ).toBe('BAD_MAGIC')
  })
})

describe('broken headers', () => {
  const good = image(
    [
      ['SIMPLE', true],
      ['BITPIX', 16],
      ['NAXIS', 2],
      ['NAXIS1', 10],
      ['NAXIS2', 10],
    ],
    new Uint8Array(200),
  )

  it('a file cut inside the header gives TRUNCATED', async () => {
    const cut = good.subarray(0, 240)
    const error = await failure(() => scan(cut))
    expect(error.code).toBe('TRUNCATED')
    expect(error.message).toMatch(/HDU 0, byte 240/)
  })

  it('an extension header cut off gives TRUNCATED', async () => {
    const extension = header([
      ['XTENSION', 'IMAGE'],
      ['BITPIX', 8],
      ['NAXIS', 0],
      ['PCOUNT', 0],
      ['GCOUNT', 1],
    ])
    const bytes = concat(header(emptyPrimary), extension.subarray(0, 400))
    const error = await failure(() => scan(bytes))
    expect(error.code).toBe('TRUNCATED')
    expect(error.message).toMatch(/HDU 1/)
  })

  it('a header without END running into binary data gives CORRUPT_CHUNK at that byte', async () => {
    const noEnd = header(
      [
        ['SIMPLE', true],
        ['BITPIX', 8],
        ['NAXIS', 1],
        ['NAXIS1', 10],
      ],
      { end: false },
    )
    const bytes = concat(noEnd, padded(new Uint8Array([1, 2, 3, 0, 255])))
    const error = await failure(() => scan(bytes))
    expect(error.code).toBe('CORRUPT_CHUNK')
    expect(error.message).toMatch(/END card missing/)
    expect(error.message).toMatch(/byte 2880/)
  })

  it('a header without END at the end of the file gives TRUNCATED', async () => {
    const noEnd = header(
      [
        ['SIMPLE', true],
        ['BITPIX', 8],
        ['NAXIS', 0],
      ],
      { end: false },
    )
    expect((await failure(() => scan(noEnd))).code).toBe('TRUNCATED')
  })

  it('an endless text header stops at maxHeaderBytes with LIMIT_EXCEEDED', async () => {
    const text = header(
      [['SIMPLE', true], ...Array.from({ length: 2000 }, (): CardSpec => 'COMMENT no end')],
      { end: false },
    )
    const error = await failure(() => scanFits(bytesSource(text), { maxHeaderBytes: 28800 }))
    expect(error.code).toBe('LIMIT_EXCEEDED')
  })
})

describe('bad structural keywords', () => {
  const primary = (extra: CardSpec[]) => image([['SIMPLE', true], ...extra])
  it.each<[string, CardSpec[], string, RegExp]>([
    [
      'BITPIX 7',
      [
        ['BITPIX', 7],
        ['NAXIS', 0],
      ],
      'CORRUPT_CHUNK',
      /keyword BITPIX/,
    ],
    ['BITPIX missing', [['NAXIS', 0]], 'CORRUPT_CHUNK', /keyword BITPIX/],
    [
      'NAXIS negative',
      [
        ['BITPIX', 8],
        ['NAXIS', -1],
      ],
      'CORRUPT_CHUNK',
      /keyword NAXIS, byte 160: negative/,
    ],
    [
      'NAXIS above 999',
      [
        ['BITPIX', 8],
        ['NAXIS', 1000],
      ],
      'LIMIT_EXCEEDED',
      /keyword NAXIS/,
    ],
    [
      'NAXIS a string',
      [
        ['BITPIX', 8],
        ['NAXIS', 'two'],
      ],
      'CORRUPT_CHUNK',
      /keyword NAXIS/,
    ],
    [
      'NAXIS2 missing',
      [
        ['BITPIX', 8],
        ['NAXIS', 2],
        ['NAXIS1', 4],
      ],
      'CORRUPT_CHUNK',
      /keyword NAXIS2/,
    ],
    [
      'NAXIS1 negative',
      [
        ['BITPIX', 8],
        ['NAXIS', 1],
        ['NAXIS1', -5],
      ],
      'CORRUPT_CHUNK',
      /keyword NAXIS1/,
    ],
    [
      'NAXIS1 real',
      [
        ['BITPIX', 8],
        ['NAXIS', 1],
        ['NAXIS1', 2.5],
      ],
      'CORRUPT_CHUNK',
      /keyword NAXIS1/,
    ],
    [
      'NAXIS1 beyond 2^64',
      [
        ['BITPIX', 8],
        ['NAXIS', 1],
        ['NAXIS1', 10n ** 30n],
      ],
      'LIMIT_EXCEEDED',
      /keyword NAXIS1/,
    ],
    [
      'size beyond 2^53',
      [
        ['BITPIX', 64],
        ['NAXIS', 3],
        ['NAXIS1', 2 ** 30],
        ['NAXIS2', 2 ** 30],
        ['NAXIS3', 2 ** 10],
      ],
      'LIMIT_EXCEEDED',
      /declared data size/,
    ],
  ])('%s', async (_, cards, code, message) => {
    const error = await failure(() => scan(primary(cards)))
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
  })

  it('negative PCOUNT in an extension gives CORRUPT_CHUNK', async () => {
    const extension = header([
      ['XTENSION', 'IMAGE'],
      ['BITPIX', 8],
      ['NAXIS', 0],
      ['PCOUNT', -1],
      ['GCOUNT', 1],
    ])
    const error = await failure(() => scan(concat(header(emptyPrimary), extension)))
    expect(error).toEqual({ code: 'CORRUPT_CHUNK', message: expect.stringMatching(/HDU 1, keyword PCOUNT/) })
  })
})

describe('data beyond the end of the file', () => {
  const declared = image(
    [
      ['SIMPLE', true],
      ['BITPIX', -64],
      ['NAXIS', 2],
      ['NAXIS1', 1000],
      ['NAXIS2', 1000],
    ],
    new Uint8Array(8000),
  )

  it('is reported by the scan, refused in strict mode and when read', async () => {
    const result = await scan(declared)
    expect(result.truncated).toBe(true)
    expect(result.hdus[0]!.truncated).toBe(true)
    expect(result.hdus[0]!.dataEnd).toBe(2880 + 8_000_000)
    expect((await failure(() => scan(declared, true))).code).toBe('TRUNCATED')
    expect((await failure(() => readImage(bytesSource(declared), result.hdus[0]!))).code).toBe('TRUNCATED')
  })

  it('a table with 2^40 declared rows is refused before anything is allocated', async () => {
    const bytes = binTableFile([{ form: 'D' }], new Uint8Array(8), { rowBytes: 8, rowCount: 2 ** 40 })
    const result = await scan(bytes)
    expect(result.hdus[1]!.truncated).toBe(true)
    const error = await failure(() => readTableColumns(bytesSource(bytes), result.hdus[1]!))
    expect(error.code).toBe('TRUNCATED')
    // Reading rows that are present still works.
    const [column] = await readTableColumns(bytesSource(bytes), result.hdus[1]!, { rowEnd: 1 })
    expect(column!.values.length).toBe(1)
  })
})

describe('tail after the last HDU', () => {
  it('junk is reported as a tail region, not an error', async () => {
    const junk = new TextEncoder().encode('this is trailing junk that some writers leave behind')
    const bytes = concat(image(emptyPrimary), junk)
    const result = await scan(bytes)
    expect(result.hdus).toHaveLength(1)
    expect(result.tail).toEqual({ start: 2880, end: 2880 + junk.length })
  })

  it('zero blocks are a tail too', async () => {
    const result = await scan(concat(image(emptyPrimary), new Uint8Array(5760)))
    expect(result.tail).toEqual({ start: 2880, end: 8640 })
  })
})
