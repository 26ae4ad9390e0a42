import { expect } from 'vitest'
import { type ByteSource, readImage, readTableColumns, scanFits } from '../../src/index.js'
import {
  astropyStyleCards,
  dtypeOf,
  type ExpectedColumn,
  type ExpectedFile,
  numericDigest,
  stringDigest,
} from './golden.js'

/**
 * Columns where this reader deliberately differs from astropy 5.2 in type (values still compared exactly):
 * astropy turns signed bytes (B with TZERO = -128, FITS 4.0 Table 19) into float64; this reader gives Int8.
 */
const TYPE_DIFFERENCES = new Set(['astropy-types.fits/sbyte'])

/** Scans, reads every column and image, and checks them against astropy's description of the file. */
export async function compareWithAstropy(source: ByteSource, expected: ExpectedFile): Promise<void> {
  const scan = await scanFits(source, { strict: true })
  expect(scan.byteLength).toBe(expected.byteLength)
  expect(scan.hdus.map((hdu) => hdu.type)).toEqual(expected.hdus.map((hdu) => hdu.type))
  expect(scan.tail).toBeUndefined()
  for (const want of expected.hdus) {
    const hdu = scan.hdus[want.index]!
    const where = `${expected.file} HDU ${want.index}`
    expect({ where, start: hdu.headerStart, data: hdu.dataStart, padded: hdu.end - hdu.dataStart }).toEqual({
      where,
      start: want.headerStart,
      data: want.dataStart,
      padded: want.paddedDataLength,
    })
    expect(astropyStyleCards(hdu.header.cards)).toEqual(want.cards)
    if (want.columns !== undefined) {
      const columns = await readTableColumns(source, hdu, { scale: true })
      expect(columns.map((column) => column.name)).toEqual(want.columns.map((column) => column.name))
      columns.forEach((column, i) => {
        const key = `${expected.file}/${column.name}`
        checkColumn(key, column, want.columns![i]!)
      })
    }
    if (want.image !== undefined) {
      for (const scale of [true, false]) {
        const image = await readImage(source, hdu, { scale })
        const wantArray = scale ? want.image.scaled : want.image.raw
        expect({ where, scale, dtype: dtypeOf(image.data, 'image') }).toEqual({
          where,
          scale,
          dtype: wantArray.dtype,
        })
        expect(image.data.length).toBe(wantArray.count)
        expect({ where, scale, sha: numericDigest(image.data, wantArray.dtype) }).toEqual({
          where,
          scale,
          sha: wantArray.sha256,
        })
      }
    }
  }
}

function checkColumn(
  key: string,
  column: Awaited<ReturnType<typeof readTableColumns>>[number],
  want: ExpectedColumn,
): void {
  if (want.dtype === 'string') {
    const strings = column.values as string[]
    expect({ key, count: strings.length }).toEqual({ key, count: want.count })
    expect({ key, first: strings.slice(0, want.first.length) }).toEqual({ key, first: want.first })
    expect({ key, sha: stringDigest(strings) }).toEqual({ key, sha: want.sha256 })
    return
  }
  const values = column.values as Exclude<typeof column.values, string[]>
  if (!TYPE_DIFFERENCES.has(key))
    expect({ key, dtype: dtypeOf(values, column.kind) }).toEqual({ key, dtype: want.dtype })
  const complex = want.dtype.startsWith('c')
  expect({ key, count: values.length }).toEqual({ key, count: complex ? want.count * 2 : want.count })
  expect({ key, sha: numericDigest(values, want.dtype) }).toEqual({ key, sha: want.sha256 })
  if (Array.isArray(want.lengths)) {
    const offsets = column.offsets!
    const perElement = complex ? 2 : 1
    const lengths = Array.from(
      { length: column.rowCount },
      (_, r) => (offsets[r + 1]! - offsets[r]!) / perElement,
    )
    expect({ key, lengths }).toEqual({ key, lengths: want.lengths })
  }
}
