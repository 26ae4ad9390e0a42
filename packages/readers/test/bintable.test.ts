import { isAstropackError } from '@astropack/codecs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  binaryTableLayout,
  bytesSource,
  decodeBinaryField,
  parseBinaryForm,
  parseTdim,
  readTableColumns,
  scanFits,
} from '../src/index.js'
import { bigEndian, binTableFile, concat } from './helpers/build-fits.js'

const place = { hdu: 1, keyword: 'TFORM1', offset: 0 }

describe('TFORM parsing', () => {
  it.each([
    ['D', { repeat: 1, type: 'D', element: 'D', width: 8 }],
    ['25E', { repeat: 25, type: 'E', element: 'E', width: 100 }],
    ['  3K ', { repeat: 3, type: 'K', element: 'K', width: 24 }],
    ['12X', { repeat: 12, type: 'X', element: 'X', width: 2 }],
    ['100A', { repeat: 100, type: 'A', element: 'A', width: 100 }],
    ['20A10', { repeat: 20, type: 'A', element: 'A', width: 20 }],
    ['2C', { repeat: 2, type: 'C', element: 'C', width: 16 }],
    ['M', { repeat: 1, type: 'M', element: 'M', width: 16 }],
    ['0J', { repeat: 0, type: 'J', element: 'J', width: 0 }],
    ['1PE(29)', { repeat: 1, type: 'P', element: 'E', width: 8, maxLength: 29 }],
    ['PD()', undefined],
    ['QJ', { repeat: 1, type: 'Q', element: 'J', width: 16, maxLength: undefined }],
    ['1QB(1000)', { repeat: 1, type: 'Q', element: 'B', width: 16, maxLength: 1000 }],
  ])('%s', (text, want) => {
    if (want === undefined) {
      expect(() => parseBinaryForm(text, place)).toThrow()
      return
    }
    expect(parseBinaryForm(text, place)).toMatchObject(want)
  })

  it('property: rT gives r elements and r times the element size', () => {
    const sizes: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16 }
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom(...Object.keys(sizes)),
        (repeat, type) => {
          const form = parseBinaryForm(`${repeat}${type}`, place)
          expect(form).toMatchObject({ repeat, type, width: repeat * sizes[type]! })
        },
      ),
    )
  })

  it('reads TDIM', () => {
    expect(parseTdim('(5,5)')).toEqual([5, 5])
    expect(parseTdim(' ( 15 , 5 ) ')).toEqual([15, 5])
    expect(parseTdim('5,5')).toBeUndefined()
    expect(parseTdim(undefined)).toBeUndefined()
  })
})

describe('binary table columns', () => {
  // Row: 1L | 1I (TNULL -1) | 10X | 6A | 1J (TZERO 2^31) = 1 + 2 + 2 + 6 + 4 = 15 bytes.
  const columns = [
    { form: 'L', name: 'ok' },
    { form: 'I', name: 'count', extra: [['TNULL2', -1] as [string, number]] },
    { form: '10X', name: 'mask' },
    { form: '6A', name: 'label' },
    { form: 'J', name: 'id', extra: [['TZERO5', 2147483648] as [string, number]] },
  ]
  const row = (ok: number, count: number, mask: [number, number], label: string, id: number) =>
    bigEndian(15, (view) => {
      view.setUint8(0, ok)
      view.setInt16(1, count)
      view.setUint8(3, mask[0])
      view.setUint8(4, mask[1])
      new TextEncoder().encode(label).forEach((byte, i) => {
        view.setUint8(5 + i, byte)
      })
      view.setInt32(11, id)
    })
  const rows = concat(
    row(84, 5, [0b10000000, 0b01000000], 'ab  ', -2147483648),
    row(70, -1, [0xff, 0xc0], 'x\0yz', 0),
    row(0, 7, [0, 0], '', 2147483647),
  )
  const file = binTableFile(columns, rows, {
    rowBytes: 15,
    rowCount: 3,
    extra: [['TUNIT2', 'ct'], "TTYPE9  = 'unused  '           / not a real column"],
  })

  it('places fields in the row and reads their keywords', async () => {
    const scan = await scanFits(bytesSource(file))
    const layout = binaryTableLayout(scan.hdus[1]!)
    expect(layout.columns.map((c) => [c.name, c.offset, c.width])).toEqual([
      ['ok', 0, 1],
      ['count', 1, 2],
      ['mask', 3, 2],
      ['label', 5, 6],
      ['id', 11, 4],
    ])
    expect(layout.columns[1]).toMatchObject({ unit: 'ct', null: -1 })
    expect(layout.columns[4]!.convention).toBe('uint32')
  })

  it('decodes logicals with nulls, TNULL, bits, strings cut at NUL and unsigned ints', async () => {
    const source = bytesSource(file)
    const scan = await scanFits(source)
    const [ok, count, mask, label, id] = await readTableColumns(source, scan.hdus[1]!, { scale: true })
    expect(ok).toMatchObject({
      kind: 'logical',
      values: new Uint8Array([1, 0, 0]),
      nulls: new Uint8Array([0, 0, 1]),
    })
    expect(count).toMatchObject({
      kind: 'integer',
      values: new Int16Array([5, -1, 7]),
      nulls: new Uint8Array([0, 1, 0]),
    })
    expect(mask!.perRow).toBe(10)
    expect(Array.from(mask!.values as Uint8Array).slice(0, 20)).toEqual([
      1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ])
    expect(label!.values).toEqual(['ab', 'x', ''])
    expect(id!.values).toEqual(new Uint32Array([0, 2147483648, 4294967295]))
    const [rawId] = await readTableColumns(source, scan.hdus[1]!, { columns: ['id'] })
    expect(rawId!.values).toEqual(new Int32Array([-2147483648, 0, 2147483647]))
  })

  it('reads a row range and refuses unknown names', async () => {
    const source = bytesSource(file)
    const scan = await scanFits(source)
    const [count] = await readTableColumns(source, scan.hdus[1]!, {
      columns: ['count'],
      rowStart: 1,
      rowEnd: 3,
    })
    expect(count!.values).toEqual(new Int16Array([-1, 7]))
    await expect(readTableColumns(source, scan.hdus[1]!, { columns: ['nope'] })).rejects.toSatisfy((error) =>
      isAstropackError(error, 'NOT_FOUND'),
    )
    await expect(readTableColumns(source, scan.hdus[1]!, { rowStart: 2, rowEnd: 9 })).rejects.toSatisfy(
      (error) => isAstropackError(error, 'USAGE'),
    )
  })

  it('takes the description from TCOMM, else from a TTYPE comment that is not a default label', async () => {
    const described = binTableFile(
      [
        { form: 'E', name: 'a', comment: 'from the TTYPE card' },
        { form: 'E', name: 'b', comment: 'label for field   2' },
        { form: 'E', name: 'c', comment: 'loses to TCOMM', extra: [['TCOMM3', 'from TCOMM']] },
      ],
      new Uint8Array(12),
      { rowBytes: 12, rowCount: 1 },
    )
    const scan = await scanFits(bytesSource(described))
    const layout = binaryTableLayout(scan.hdus[1]!)
    expect(layout.columns.map((column) => column.description)).toEqual([
      'from the TTYPE card',
      undefined,
      'from TCOMM',
    ])
  })

  it('decodes P columns from an in-memory heap with decodeBinaryField', async () => {
    const heap = bigEndian(12, (view) => {
      view.setInt16(0, 1)
      view.setInt16(2, 2)
      view.setInt16(4, 3)
    })
    const descriptors = concat(
      bigEndian(8, (view) => view.setUint32(0, 2)),
      bigEndian(8, (view) => {
        view.setUint32(0, 1)
        view.setUint32(4, 4)
      }),
    )
    const bytes = binTableFile([{ form: '1PI' }], descriptors, { rowBytes: 8, rowCount: 2, heap })
    const scan = await scanFits(bytesSource(bytes))
    const hdu = scan.hdus[1]!
    const layout = binaryTableLayout(hdu)
    const rows = bytes.subarray(hdu.dataStart, hdu.dataStart + 16)
    const field = decodeBinaryField(rows, 2, layout, layout.columns[0]!, {
      scale: true,
      heap: { bytes: heap, start: 0 },
    })
    expect(field).toMatchObject({ values: new Int16Array([1, 2, 3]), offsets: new Int32Array([0, 2, 3]) })
  })
})
