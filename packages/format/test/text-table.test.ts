import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinTextGroup, splitTextGroup } from '../src/index.js'
import { sameBytes, sampleFiles } from './helpers.js'

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))

/** Fields as archives write them, including the awkward ones: -0, exponents, leading dots, trailing zeros, nulls. */
const field = fc.oneof(
  fc.double({ noNaN: true }).map(String),
  fc.double({ noNaN: true, min: -1e6, max: 1e6 }).map((v) => v.toFixed(3)),
  fc.integer().map(String),
  fc.integer({ min: -99999, max: 99999 }).map((v) => (v / 100).toString()),
  fc.constantFrom(
    '',
    'null',
    'NaN',
    '-0',
    '-0.0',
    '0.10',
    '.5',
    '1e-7',
    '1E5',
    '00012',
    '+3',
    ' 7',
    'inf',
    'Ceres (A801 AA)',
  ),
  fc.stringMatching(/^[A-Za-z0-9 ._\u00e9-]{0,12}$/),
)

const table = fc
  .integer({ min: 1, max: 6 })
  .chain((columns) =>
    fc.tuple(
      fc.constant(columns),
      fc.array(fc.array(field, { minLength: columns, maxLength: columns }), { minLength: 1, maxLength: 60 }),
      fc.constantFrom(44, 9),
    ),
  )

describe('text tables stored as typed columns', () => {
  it('rebuild every line byte for byte', () => {
    fc.assert(
      fc.property(table, ([columns, rows, delimiter]) => {
        const text = `${rows.map((row) => row.join(String.fromCharCode(delimiter))).join('\n')}\n`
        const group = latin1(text)
        const parts = splitTextGroup(group, delimiter, columns)
        expect(parts).toHaveLength(columns)
        expect(sameBytes(joinTextGroup(parts, delimiter), group)).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })

  it('keeps a group whose lines differ in field count, or that has quotes or CR, as it is', () => {
    for (const text of ['a,b\nc\n', '"x,y",2\n3,4\n', '1,2\r\n3,4\r\n']) {
      const parts = splitTextGroup(latin1(text), 44, 2)
      expect(parts[0]![0]).toBe(0)
      expect(sameBytes(joinTextGroup(parts, 44), latin1(text))).toBe(true)
    }
  })

  it('stores the numeric columns of a real catalog as binary values', async () => {
    const [csv] = await sampleFiles(['tables/jpl-sbdb-asteroids.csv'])
    const text = new TextDecoder('latin1').decode(csv!.bytes)
    const body = latin1(text.slice(text.indexOf('\n') + 1))
    const parts = splitTextGroup(body, 44, 20)
    expect(sameBytes(joinTextGroup(parts, 44), body)).toBe(true)
    const kinds = parts.map((part) => part[0])
    expect(kinds.filter((kind) => kind !== 1).length).toBeGreaterThan(8) // most columns are numbers
  })
})

describe('damaged text-table chunks', () => {
  it('give typed errors, never a crash or a huge allocation', () => {
    const group = latin1(`${'1.5,abc,42\n'.repeat(500)}`)
    const parts = splitTextGroup(group, 44, 3)
    const hostile = parts[1]!.slice()
    new DataView(hostile.buffer).setUint32(4, 0xffffffff, true) // a text column claiming 4 billion fields
    expect(() => joinTextGroup([parts[0]!, hostile, parts[2]!], 44)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_CHUNK' }),
    )
    for (const [i, part] of parts.entries()) {
      for (let at = 0; at < Math.min(part.byteLength, 64); at++) {
        const bad = part.slice()
        bad[at]! ^= 0xff
        const damaged = parts.map((p, j) => (j === i ? bad : p))
        try {
          joinTextGroup(damaged, 44)
        } catch (error) {
          expect(error).toMatchObject({ code: 'CORRUPT_CHUNK' })
        }
      }
    }
  })
})
