import { describe, expect, it } from 'vitest'
import { numpyColumnDecoder, parseNumpyType } from '../src/index.js'

const decode = (type: string, bytes: number[]) =>
  numpyColumnDecoder({ name: 'c', type })(Uint8Array.from(bytes))

describe('numpy-named HDF5 column types', () => {
  it('parses byte order, kind, size and shape', () => {
    expect(parseNumpyType('<f8')).toEqual({ kind: 'f', size: 8, littleEndian: true, count: 1, width: 8 })
    expect(parseNumpyType('>i4')).toMatchObject({ littleEndian: false, width: 4 })
    expect(parseNumpyType('|S6')).toMatchObject({ kind: 'S', size: 6, width: 6 })
    expect(parseNumpyType('<f4(2,)')).toMatchObject({ count: 2, width: 8 })
    expect(parseNumpyType('<u2(3,4)')).toMatchObject({ count: 12, width: 24 })
    for (const bad of ['D', '1J', '<i3', '<f', 'f8', '<x4', undefined])
      expect(parseNumpyType(bad), bad).toBeUndefined()
  })

  it('decodes integers and floats in both byte orders, 64-bit integers as bigints', () => {
    expect(decode('|i1', [0xff, 0x7f])).toEqual([-1, 127])
    expect(decode('>i2', [0xff, 0xfe, 0x01, 0x00])).toEqual([-2, 256])
    expect(decode('<i2', [0xff, 0xfe, 0x01, 0x00])).toEqual([-257, 1])
    expect(decode('>u4', [0xff, 0xff, 0xff, 0xff])).toEqual([4294967295])
    expect(decode('<u8', [1, 0, 0, 0, 0, 0, 0, 0x80])).toEqual([2n ** 63n + 1n])
    expect(decode('>i8', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])).toEqual([-2n])
    expect(decode('>f4', [0x3f, 0xc0, 0, 0])).toEqual([1.5])
    expect(decode('<f8', [0, 0, 0, 0, 0, 0, 0xf8, 0x7f])).toEqual([Number.NaN])
    expect(decode('|b1', [0, 1, 2])).toEqual([false, true, true])
  })

  it('cuts fixed strings at their first NUL and keeps spaces', () => {
    expect(decode('|S4', [0x61, 0x62, 0, 0, 0x20, 0x78, 0x20, 0x20, 0, 0x79, 0, 0])).toEqual([
      'ab',
      ' x  ',
      '',
    ])
  })

  it('refuses arrays, opaque types and half floats as values', () => {
    for (const type of ['<f4(2,)', '|V4', '<f2', 'E']) {
      expect(() => numpyColumnDecoder({ name: 'c', type }), type).toThrow(
        expect.objectContaining({ code: 'USAGE' }),
      )
    }
  })
})
