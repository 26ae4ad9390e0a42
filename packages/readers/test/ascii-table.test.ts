import { describe, expect, it } from 'vitest'
import { asciiTableLayout, bytesSource, readTableColumns, scanFits } from '../src/index.js'
import { type CardSpec, concat, emptyPrimary, header, padded } from './helpers/build-fits.js'

/** An ASCII table whose rows are the given strings (padded to the same width). */
async function asciiTable(columns: { form: string; start: number; extra?: CardSpec[] }[], rows: string[]) {
  const width = Math.max(...rows.map((row) => row.length))
  const cards: CardSpec[] = [
    ['XTENSION', 'TABLE'],
    ['BITPIX', 8],
    ['NAXIS', 2],
    ['NAXIS1', width],
    ['NAXIS2', rows.length],
    ['PCOUNT', 0],
    ['GCOUNT', 1],
    ['TFIELDS', columns.length],
  ]
  columns.forEach((column, i) => {
    cards.push(
      [`TTYPE${i + 1}`, `c${i + 1}`],
      [`TFORM${i + 1}`, column.form],
      [`TBCOL${i + 1}`, column.start],
      ...(column.extra ?? []),
    )
  })
  const data = new TextEncoder().encode(rows.map((row) => row.padEnd(width)).join(''))
  const bytes = concat(header(emptyPrimary), header(cards), padded(data, 32))
  const source = bytesSource(bytes)
  const scan = await scanFits(source)
  return { source, hdu: scan.hdus[1]! }
}

describe('ASCII table fields', () => {
  it('reads Fw.d with and without explicit decimal points (implicit decimals, FITS 4.0 §7.2.5)', async () => {
    const { source, hdu } = await asciiTable(
      [{ form: 'F8.2', start: 1 }],
      ['  123.45', '   12345', '    -150', '  1.5E+2', '   1.5D1', '  25-1  ', '        '],
    )
    const [column] = await readTableColumns(source, hdu)
    expect(Array.from(column!.values as Float64Array)).toEqual([123.45, 123.45, -1.5, 150, 15, 0.025, 0])
    expect(column!.nulls).toBeUndefined()
  })

  it('reads Iw into Int16, Int32 or BigInt64 as astropy does, and Aw as trimmed strings', async () => {
    const { source, hdu } = await asciiTable(
      [
        { form: 'I3', start: 1 },
        { form: 'I6', start: 4 },
        { form: 'I20', start: 10 },
        { form: 'A6', start: 30 },
      ],
      ['-12 99999-9223372036854775808  ab  ', '  7    -1                  42x     '],
    )
    const [small, medium, big, text] = await readTableColumns(source, hdu)
    expect(small!.values).toEqual(new Int16Array([-12, 7]))
    expect(medium!.values).toEqual(new Int32Array([99999, -1]))
    expect(big!.values).toEqual(new BigInt64Array([-(2n ** 63n), 42n]))
    expect(text!.values).toEqual(['  ab', 'x'])
  })

  it('marks TNULL matches and unreadable numbers as null', async () => {
    const { source, hdu } = await asciiTable(
      [
        { form: 'E10.3', start: 1, extra: [['TNULL1', 'INDEF']] },
        { form: 'I5', start: 11, extra: [['TNULL2', '-99']] },
      ],
      ['  1.500E+0    1', '     INDEF  -99', '  ********    3'],
    )
    const [real, integer] = await readTableColumns(source, hdu)
    expect(Array.from(real!.values as Float64Array)).toEqual([1.5, Number.NaN, Number.NaN])
    expect(Array.from(real!.nulls!)).toEqual([0, 1, 1])
    expect(Array.from(integer!.nulls!)).toEqual([0, 1, 0])
  })

  it('applies TSCAL/TZERO when asked', async () => {
    const { source, hdu } = await asciiTable(
      [
        {
          form: 'I4',
          start: 1,
          extra: [
            ['TSCAL1', 0.5],
            ['TZERO1', 10],
          ],
        },
      ],
      ['   4', '  -2'],
    )
    const [scaled] = await readTableColumns(source, hdu, { scale: true })
    expect(Array.from(scaled!.values as Float64Array)).toEqual([12, 9])
    const [raw] = await readTableColumns(source, hdu)
    expect(raw!.values).toEqual(new Int16Array([4, -2]))
  })

  it('lays out TBCOL as 0-based offsets', async () => {
    const { hdu } = await asciiTable([{ form: 'A2', start: 3 }], ['xxab'])
    expect(asciiTableLayout(hdu).columns[0]).toMatchObject({ offset: 2, width: 2, name: 'c1' })
  })
})
