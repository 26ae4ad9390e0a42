import { GRID_DIVISORS } from '@astropack/codecs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinTextGroup, splitTextGroup } from '../src/index.js'
import { GridStyle, gridDigits, gridTerms, gridValue, writeGrid } from '../src/text-table/grid.js'
import { TextColumnKind } from '../src/text-table.js'
import { sameBytes, sampleFiles } from './helpers.js'

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))

/** The field of value k by SPEC §7.2's rule, in BigInt and strings: an oracle independent of grid.ts. */
function specField(k: number, scale: number, divisor: number, style: number): string {
  const u = BigInt(Math.abs(k)) * 10n ** BigInt(scale)
  const d = BigInt(divisor)
  const q = (2n * u + d) / (2n * d) // rounded half up
  const digits = q.toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  let fraction = digits.slice(digits.length - scale)
  if (style !== GridStyle.fixed) fraction = fraction.replace(/0+$/, '')
  const sign = k < 0 && q > 0n ? '-' : ''
  if (fraction === '') return `${sign}${whole}${style === GridStyle.pointZero ? '.0' : ''}`
  return `${sign}${whole}.${fraction}`
}

function field(k: number, scale: number, divisor: number, style: number): string {
  const { num, den } = gridTerms(scale, divisor)!
  const out = new Uint8Array(24)
  return String.fromCharCode(...out.subarray(0, writeGrid(out, 0, k, gridDigits(k, num, den), scale, style)))
}

const grids = fc
  .tuple(
    fc.integer({ min: 1, max: 15 }),
    fc.oneof(fc.constantFrom(...GRID_DIVISORS), fc.integer({ min: 1, max: 2 ** 32 - 1 })),
    fc.constantFrom(GridStyle.plain, GridStyle.pointZero, GridStyle.fixed),
  )
  .filter(([scale, divisor]) => gridTerms(scale, divisor) !== undefined)
const int32 = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: -100, max: 100 }),
  fc.constantFrom(0, -(2 ** 31), 2 ** 31 - 1),
)

describe('grid values (SPEC §7.2, kind 7)', () => {
  it('write the field the spec defines, in exact integer arithmetic', () => {
    fc.assert(
      fc.property(grids, int32, ([scale, divisor, style], k) => {
        expect(field(k, scale, divisor, style)).toBe(specField(k, scale, divisor, style))
      }),
      { numRuns: 20000 },
    )
  })

  it('read a field back to its value on grids coarser than the decimals, to one that writes it on finer ones', () => {
    fc.assert(
      fc.property(grids, int32, ([scale, divisor, style], k) => {
        const text = field(k, scale, divisor, style)
        const terms = gridTerms(scale, divisor)!
        const back = gridValue(latin1(text), 0, text.length, scale, terms, style)
        // On a grid finer than the decimals, many values share a field: the one nearest it may not be an int32.
        if (divisor <= 10 ** scale) expect(back).toBe(k)
        else if (!Number.isNaN(back)) expect(field(back, scale, divisor, style)).toBe(text)
      }),
      { numRuns: 20000 },
    )
  })

  it('refuse fields that are not that text: other signs, zeros, exponents, spaces', () => {
    const terms = gridTerms(10, 24000)!
    for (const text of [
      '+101.2871666667',
      '-0',
      '-0.0',
      '101.28716666670',
      '1.0128716666667e2',
      ' 101.2871666667',
      '101.2871666666',
      '',
    ]) {
      expect(gridValue(latin1(text), 0, text.length, 10, terms, GridStyle.plain), text).toBeNaN()
    }
    expect(gridValue(latin1('101.2871666667'), 0, 14, 10, terms, GridStyle.plain)).toBe(2430892)
  })
})

describe('a catalog of positions converted from sexagesimal (Hipparcos, as KStars ships it)', () => {
  it('stores ra and dec as counts of 0.01 s of time and 0.1 arcsec, and rebuilds the file byte for byte', async () => {
    const [csv] = await sampleFiles(['tables/hipparcos-kstars-first4000.csv'])
    const bytes = csv!.bytes
    const body = bytes.subarray(bytes.indexOf(10) + 1)
    const parts = splitTextGroup(body, 44, 13)
    expect(sameBytes(joinTextGroup(parts, 44), body)).toBe(true)
    const [ra, dec] = parts
    for (const [part, divisor] of [
      [ra!, 24000],
      [dec!, 36000],
    ] as const) {
      expect(part[0]).toBe(TextColumnKind.grid)
      expect(part[1]).toBe(10)
      const view = new DataView(part.buffer, part.byteOffset, part.byteLength)
      const table = 8 + 4000 * 4
      const exceptions = view.getUint32(table, true)
      expect(exceptions).toBeLessThan(40) // 1%: values below 1e-4 that repr() writes with an exponent
      let end = table + 4 + exceptions * 8
      for (let e = 0; e < exceptions; e++) end += view.getUint32(table + 4 + e * 8 + 4, true)
      expect(view.getUint32(end, true)).toBe(divisor)
    }
    // Sirius: 06h45m08.92s = 2430892 hundredths of a second of time; -16°42'58.0" = -601780 tenths of an arcsec.
    expect(new DataView(ra!.buffer, ra!.byteOffset).getInt32(8, true)).toBe(2430892)
    expect(new DataView(dec!.buffer, dec!.byteOffset).getInt32(8, true)).toBe(-601780)
  })
})

describe('damaged grid columns', () => {
  const group = latin1(
    Array.from({ length: 200 }, (_, i) => `${(((i * 7919) % 8640000) / 24000).toFixed(10)},${i}\n`).join(''),
  )
  const parts = splitTextGroup(group, 44, 2)

  it('are stored as grids', () => {
    expect(parts[0]![0]).toBe(TextColumnKind.grid)
    expect(parts[0]![3]).toBe(GridStyle.fixed)
    expect(sameBytes(joinTextGroup(parts, 44), group)).toBe(true)
  })

  it('give typed errors for a missing or unusable divisor, an unknown style or scale', () => {
    const grid = parts[0]!
    const divisorAt = grid.byteLength - 4
    const damaged = (edit: (copy: Uint8Array, view: DataView) => Uint8Array | undefined) => {
      const copy = grid.slice()
      const out = edit(copy, new DataView(copy.buffer)) ?? copy
      expect(() => joinTextGroup([out, parts[1]!], 44)).toThrow(
        expect.objectContaining({ code: 'CORRUPT_CHUNK' }),
      )
    }
    const setByte = (at: number, value: number) => (copy: Uint8Array) => {
      copy[at] = value
      return copy
    }
    damaged((copy) => copy.subarray(0, divisorAt)) // cut before the divisor
    damaged((_, view) => view.setUint32(divisorAt, 0, true)) // divisor 0
    damaged(setByte(1, 15)) // 10^15 / 24000 has a numerator past 2^22
    damaged(setByte(1, 16)) // scale 16
    damaged(setByte(1, 0)) // scale 0: a grid has decimals
    damaged(setByte(3, 3)) // style 3
  })
})
