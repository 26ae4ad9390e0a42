import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinTextGroup, splitTextGroup } from '../src/index.js'
import { dropLeadingZero, javaString, leadingDotValue, NumberStyle } from '../src/text-table/styles.js'
import { TextColumnKind } from '../src/text-table.js'
import { sameBytes, sampleFiles } from './helpers.js'

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
/** ECMAScript's text without the zero before the point, as JPL writes numbers. */
const jpl = (x: number) => String(x).replace(/^(-?)0\./, '$1.')

describe("numbers without the zero before the point (JPL's small-body database)", () => {
  it('read back as the double or decimal they print, and the field with the zero is not theirs', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = jpl(x)
        const value = leadingDotValue(latin1(text), 0, text.length)
        // Fields of more than 32 bytes are never values; -0 reads as 0 and writes as "0", not "-0".
        if (text.length <= 32 && !Object.is(x, -0)) expect(value).toBe(x)
        const out = latin1(`${String(x)}   `)
        expect(String.fromCharCode(...out.subarray(0, dropLeadingZero(out, 0, String(x).length)))).toBe(text)
      }),
      { numRuns: 5000 },
    )
    for (const [field, k] of [
      ['.0786', 786],
      ['-.5', -5000],
      ['12.5', 125000],
    ] as const)
      expect(leadingDotValue(latin1(field), 0, field.length, 4)).toBe(k)
    for (const field of ['0.5', '-0.5', '0.0786'])
      expect(leadingDotValue(latin1(field), 0, field.length)).toBeNaN()
  })

  it("store the real catalog's eccentricities as doubles, and rebuild its lines byte for byte", async () => {
    const [csv] = await sampleFiles(['tables/jpl-sbdb-asteroids.csv'])
    const text = new TextDecoder('latin1').decode(csv!.bytes)
    const body = latin1(text.slice(text.indexOf('\n') + 1))
    expect(text).toContain(',.07863575691875528,') // Ceres's e
    const parts = splitTextGroup(body, 44, 20)
    expect(sameBytes(joinTextGroup(parts, 44), body)).toBe(true)
    const e = parts[10]!
    expect([e[0], e[3]]).toEqual([TextColumnKind.float64, NumberStyle.leadingDot])
  })
})

describe("Java's Double.toString (TOPCAT and STILTS tables)", () => {
  /** Java's text from ECMAScript's shortest digits by another road: toExponential() gives them all. */
  function javaOracle(x: number): string {
    const u = Math.abs(x)
    if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
    if (u >= 1e-3 && u < 1e7) return Number.isInteger(x) ? `${x}.0` : String(x)
    const [mantissa, exponent] = x.toExponential().split('e') as [string, string]
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`
  }

  it('writes what the JDK documents, and every double as Java does', () => {
    const documented: [number, string][] = [
      [1e-5, '1.0E-5'],
      [1e7, '1.0E7'],
      [123, '123.0'],
      [0.001, '0.001'],
      [9999999, '9999999.0'],
      [1e-4, '1.0E-4'],
      [-1.2345678e7, '-1.2345678E7'],
    ]
    for (const [x, text] of documented) expect(javaString(x)).toBe(text)
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(javaString(x)).toBe(javaOracle(x))
      }),
      { numRuns: 10000 },
    )
  })

  it('stores a column of fluxes written by Java as doubles, and rebuilds it byte for byte', () => {
    const fluxes = Array.from({ length: 500 }, (_, i) => 3631e6 * 10 ** (-0.4 * (i / 50 - 3)))
    const group = latin1(`${fluxes.map((x) => `${javaString(x)},${javaString(x / 1000)}`).join('\n')}\n`)
    const parts = splitTextGroup(group, 44, 2)
    expect(parts.map((part) => [part[0], part[3]])).toEqual([
      [TextColumnKind.float64, NumberStyle.java],
      [TextColumnKind.float64, NumberStyle.java],
    ])
    expect(sameBytes(joinTextGroup(parts, 44), group)).toBe(true)
  })
})
